//! Version-cursor walks: `after = version.max` of the previous page until a page
//! comes back empty. Deleted objects come through the walk too; apply them.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::client::{decode, LightspeedClient};
use crate::error::LsError;
use crate::models::{Consignment, InventoryRecord, Outlet, Product, Sale, Supplier, Versioned};

/// Where a walk stands, handed to the progress callback after every page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkProgress {
    /// `products`, `consignments`, ...
    pub resource: &'static str,
    /// Non-empty pages read.
    pub pages: u64,
    /// Objects read (deleted ones included).
    pub objects: u64,
    /// Of those, deleted.
    pub deleted: u64,
    /// The cursor to resume from (`after`): store it with the page's changes.
    pub cursor: u64,
    /// True once the empty page was read.
    pub done: bool,
}

#[derive(Deserialize)]
struct VersionRange {
    #[serde(default)]
    max: Option<u64>,
}

#[derive(Deserialize)]
struct Collection<T> {
    data: Vec<T>,
    #[serde(default)]
    version: Option<VersionRange>,
}

/// A pull-style walk over one resource; see [`LightspeedClient::walker`].
pub struct CursorWalker<'c, T> {
    client: &'c LightspeedClient,
    path: String,
    filters: Vec<(&'static str, String)>,
    page_size: u32,
    progress: WalkProgress,
    _t: PhantomData<T>,
}

impl<T: DeserializeOwned + Versioned> CursorWalker<'_, T> {
    /// Adds a filter (`type`, `status`, `outlet_id`, `reference`, ...).
    pub fn filter(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.filters.push((key, value.into()));
        self
    }

    /// Where the walk stands.
    pub fn progress(&self) -> &WalkProgress {
        &self.progress
    }

    /// The next page, or `None` after the empty page. Retryable failures were
    /// already retried; after an error the walk can simply be called again.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>, LsError> {
        if self.progress.done {
            return Ok(None);
        }
        let mut query = vec![
            ("after", self.progress.cursor.to_string()),
            ("page_size", self.page_size.to_string()),
        ];
        query.extend(self.filters.iter().cloned());
        let answer = self
            .client
            .send(reqwest::Method::GET, &self.path, &query, None::<&()>)
            .await?;
        let page: Collection<T> = decode(&answer)?;
        if page.data.is_empty() {
            self.progress.done = true;
            return Ok(None);
        }
        let item_max = page.data.iter().map(Versioned::version).max().unwrap_or(0);
        let next = page
            .version
            .and_then(|v| v.max)
            .unwrap_or(item_max)
            .max(item_max);
        if next <= self.progress.cursor {
            // A page that does not move the cursor would loop forever.
            return Err(LsError::Decode {
                status: answer.status,
                detail: format!(
                    "{} page did not advance the version cursor past {}",
                    self.progress.resource, self.progress.cursor
                ),
                body: String::new(),
            });
        }
        self.progress.cursor = next;
        self.progress.pages += 1;
        self.progress.objects += page.data.len() as u64;
        self.progress.deleted += page.data.iter().filter(|o| o.is_deleted()).count() as u64;
        Ok(Some(page.data))
    }
}

impl LightspeedClient {
    /// A walk over `resource` (`"products"`, `"consignments"`, ...) from `after`.
    pub fn walker<T: DeserializeOwned + Versioned>(
        &self,
        resource: &'static str,
        after: u64,
    ) -> CursorWalker<'_, T> {
        CursorWalker {
            client: self,
            path: format!("/{resource}"),
            filters: Vec::new(),
            page_size: self.config().page_size,
            progress: WalkProgress {
                resource,
                cursor: after,
                ..WalkProgress::default()
            },
            _t: PhantomData,
        }
    }

    async fn walk<T: DeserializeOwned + Versioned>(
        &self,
        resource: &'static str,
        after: u64,
        mut on_page: impl FnMut(Vec<T>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        let mut w = self.walker::<T>(resource, after);
        while let Some(page) = w.next_page().await? {
            on_page(page, w.progress());
        }
        Ok(w.progress().clone())
    }

    /// Walks products changed after `after`; `on_page` gets each page and the progress.
    pub async fn walk_products(
        &self,
        after: u64,
        on_page: impl FnMut(Vec<Product>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        self.walk("products", after, on_page).await
    }

    /// Walks consignments changed after `after`.
    pub async fn walk_consignments(
        &self,
        after: u64,
        on_page: impl FnMut(Vec<Consignment>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        self.walk("consignments", after, on_page).await
    }

    /// Walks outlets changed after `after`.
    pub async fn walk_outlets(
        &self,
        after: u64,
        on_page: impl FnMut(Vec<Outlet>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        self.walk("outlets", after, on_page).await
    }

    /// Walks suppliers changed after `after`.
    pub async fn walk_suppliers(
        &self,
        after: u64,
        on_page: impl FnMut(Vec<Supplier>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        self.walk("suppliers", after, on_page).await
    }

    /// Walks inventory records changed after `after`.
    pub async fn walk_inventory(
        &self,
        after: u64,
        on_page: impl FnMut(Vec<InventoryRecord>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        self.walk("inventory", after, on_page).await
    }

    /// Walks register sales changed after `after` (voided and deleted ones included).
    pub async fn walk_sales(
        &self,
        after: u64,
        on_page: impl FnMut(Vec<Sale>, &WalkProgress),
    ) -> Result<WalkProgress, LsError> {
        self.walk("sales", after, on_page).await
    }
}
