//! Use cases the UI calls, with typed errors carrying stable codes. No Tauri dependency.
