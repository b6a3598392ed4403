//! Lightspeed Retail X-Series API 2.0 client: OAuth2 refresh, rate-limit budget, Retry-After, version cursors, typed errors.
