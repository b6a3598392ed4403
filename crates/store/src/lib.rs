//! The outlet's SQLite store: migrations, repositories, transactional outbox, hash-chained audit log, evidence files.
