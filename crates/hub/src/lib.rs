//! The central CIS service: sync API, Lightspeed sagas, dead-letter list, poller, webhooks, admin pages, metrics.
