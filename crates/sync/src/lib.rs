//! Outlet <-> hub sync protocol types and the outlet's push/pull loop.

pub mod evidence;
