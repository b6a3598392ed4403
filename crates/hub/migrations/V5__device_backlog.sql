-- What each station last reported of its own queue with a pull: changes waiting to
-- reach the hub and changes the hub refused that wait for a person. For the dashboard.
CREATE TABLE device_backlog (
    device_id   TEXT PRIMARY KEY,
    waiting     INTEGER NOT NULL CHECK (waiting >= 0),
    attention   INTEGER NOT NULL CHECK (attention >= 0),
    reported_at TEXT NOT NULL
);
