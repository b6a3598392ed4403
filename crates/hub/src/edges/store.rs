//! Storage of the public edges (webhook deliveries, admin accounts and sessions,
//! login throttling, saga waiting times) behind a trait, like [`crate::HubStore`].
//! The rules live in `webhooks` and `admin`; a backend only stores.

use time::OffsetDateTime;

use crate::store::StoreResult;

/// What a webhook delivery is about, as far as the hub acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HintKind {
    /// `consignment.*`: re-read the consignment.
    Consignment,
    /// `product.*`: re-read the catalog.
    Product,
    /// `inventory.*`: stock levels (the hub does not mirror them; noted only).
    Inventory,
    /// Anything else (sales, customers): recorded, never acted on.
    Other,
}

impl HintKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consignment => "consignment",
            Self::Product => "product",
            Self::Inventory => "inventory",
            Self::Other => "other",
        }
    }

    /// Parses the stored name (unknown names are `Other`).
    pub fn parse(s: &str) -> Self {
        match s {
            "consignment" => Self::Consignment,
            "product" => Self::Product,
            "inventory" => Self::Inventory,
            _ => Self::Other,
        }
    }
}

/// Where a delivery is in the hint queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for the worker.
    Pending,
    /// The worker re-read the object and applied what Lightspeed says.
    Done,
    /// Nothing to do for this kind of event.
    Ignored,
    /// Gave up after repeated failures; the poller heals it.
    Failed,
}

impl DeliveryState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Ignored => "ignored",
            Self::Failed => "failed",
        }
    }
}

/// A verified delivery to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// SHA-256 of the raw body, hex.
    pub body_sha256: String,
    /// `type|id|version`, when the payload carries a version.
    pub object_key: Option<String>,
    /// The webhook's type, e.g. `consignment.send`.
    pub event_type: String,
    /// What it is about.
    pub kind: HintKind,
    /// Lightspeed id of the object.
    pub object_id: Option<String>,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// `Pending` (queue it) or `Ignored`.
    pub state: DeliveryState,
}

/// Whether a delivery was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored under this id.
    New(i64),
    /// Seen before (same body, or same object version): not queued again.
    Duplicate,
}

/// A queued hint for the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Delivery id.
    pub id: i64,
    /// Webhook type.
    pub event_type: String,
    /// What it is about.
    pub kind: HintKind,
    /// Lightspeed id of the object.
    pub object_id: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// How handling a hint ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HintResult {
    /// Done.
    Done,
    /// Try again at this time.
    RetryAt(OffsetDateTime, String),
    /// Give up (the poller will heal it).
    Failed(String),
}

/// Counts of the hint queue for the dashboard and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookQueueStats {
    /// Hints waiting.
    pub pending: u64,
    /// Arrival of the oldest waiting hint.
    pub oldest_pending: Option<OffsetDateTime>,
    /// Hints given up on.
    pub failed: u64,
    /// Deliveries recorded (kept for the retention window).
    pub recorded: u64,
}

/// An admin role. Ops viewers see the dashboard; admins may also act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminRole {
    /// Full access: retry and discard dead letters.
    Admin,
    /// Read-only access to the dashboard.
    OpsViewer,
}

impl AdminRole {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::OpsViewer => "ops_viewer",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "ops_viewer" | "ops-viewer" | "viewer" => Some(Self::OpsViewer),
            _ => None,
        }
    }

    /// Whether this role may change things (retry, discard).
    pub fn may_act(self) -> bool {
        self == Self::Admin
    }
}

/// An admin account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAccount {
    /// Id.
    pub id: String,
    /// Sign-in name (unique, case-insensitive).
    pub name: String,
    /// Role.
    pub role: AdminRole,
    /// May sign in.
    pub active: bool,
    /// Created.
    pub created_at: OffsetDateTime,
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie value, hex.
    pub token_sha256: String,
    /// Whose session.
    pub account_id: String,
    /// Synchronizer token every form of this session carries.
    pub csrf_token: String,
    /// Signed in at.
    pub created_at: OffsetDateTime,
    /// Last request.
    pub last_seen_at: OffsetDateTime,
    /// Hard end.
    pub expires_at: OffsetDateTime,
}

/// Failed sign-ins of one account name from one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures in the current window.
    pub failures: u32,
    /// Start of the window.
    pub window_start: OffsetDateTime,
    /// Locked until then.
    pub locked_until: Option<OffsetDateTime>,
}

/// Where the edges keep their state. Blocking; called from `spawn_blocking`.
pub trait EdgeStore: Send + Sync + 'static {
    // -- webhooks -------------------------------------------------------------
    /// Records a delivery unless its body or object version was seen before.
    fn record_delivery(&self, d: &NewDelivery) -> StoreResult<Recorded>;
    /// Pending hints due at `now`, oldest first.
    fn due_hints(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Hint>>;
    /// Records how handling the hints `ids` ended.
    fn finish_hints(
        &self,
        ids: &[i64],
        result: &HintResult,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Forgets finished deliveries received before `before`; returns how many.
    fn prune_deliveries(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// Queue counts.
    fn webhook_queue_stats(&self) -> StoreResult<WebhookQueueStats>;

    // -- admin accounts ---------------------------------------------------------
    /// Adds an account; fails if the name is taken.
    fn insert_admin(&self, account: &AdminAccount, password_hash: &str) -> StoreResult<()>;
    /// An account and its password hash, by name (case-insensitive).
    fn admin_by_name(&self, name: &str) -> StoreResult<Option<(AdminAccount, String)>>;
    /// An account by id.
    fn admin(&self, id: &str) -> StoreResult<Option<AdminAccount>>;
    /// Number of accounts.
    fn admin_count(&self) -> StoreResult<u64>;

    // -- sessions ---------------------------------------------------------------
    /// Adds a session.
    fn insert_session(&self, s: &SessionRecord) -> StoreResult<()>;
    /// A session by the hash of its cookie value.
    fn session(&self, token_sha256: &str) -> StoreResult<Option<SessionRecord>>;
    /// Notes a request on a session.
    fn touch_session(&self, token_sha256: &str, at: OffsetDateTime) -> StoreResult<()>;
    /// Ends a session.
    fn delete_session(&self, token_sha256: &str) -> StoreResult<()>;
    /// Ends expired sessions; returns how many.
    fn prune_sessions(&self, now: OffsetDateTime) -> StoreResult<u64>;

    // -- login throttling -------------------------------------------------------
    /// Reads and replaces the throttle row of `key` in one transaction; `None`
    /// from `f` deletes it. Returns what `f` returned.
    fn update_throttle(
        &self,
        key: &str,
        f: &mut dyn FnMut(Option<Throttle>) -> Option<Throttle>,
    ) -> StoreResult<Option<Throttle>>;

    // -- saga queue ages --------------------------------------------------------
    /// When the longest-waiting pending saga started waiting.
    fn oldest_waiting_saga(&self) -> StoreResult<Option<OffsetDateTime>>;
}
