//! An in-memory Lightspeed double for tests and benches: enforces the rules the
//! saga must respect (Lightspeed's legal moves only, no status change without
//! lines, additive bulk and add, no line edits after close), counts requests per
//! operation, and injects faults, including a lost response after the change was
//! made. The HTTP fake in `tally-testkit` is the full-fidelity one.

use std::collections::{BTreeMap, VecDeque};

use std::sync::Mutex;

use rust_decimal::Decimal;
use tally_domain::{LsConsignmentStatus as L, LsConsignmentType as T};
use tally_sync::{OutletRow, ProductRow, SupplierRow};

use super::port::*;
use crate::rules;

/// A fault for the next call.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Fail without doing anything.
    Before(LsFailure),
    /// Do it, then lose the response (the caller sees a retryable failure).
    LoseResponse,
}

/// One remote consignment.
#[derive(Debug, Clone)]
pub struct Remote {
    /// Header.
    pub c: LsConsignment,
    /// Lines by product id.
    pub lines: BTreeMap<String, LsLine>,
    /// Version (moves on every change).
    pub version: i64,
}

#[derive(Default)]
struct State {
    consignments: BTreeMap<String, Remote>,
    next_id: u64,
    requests: u64,
    by_op: BTreeMap<String, u64>,
    faults: VecDeque<(&'static str, Fault)>,
    history: Vec<(String, L)>,
    version: i64,
    products: BTreeMap<String, (i64, ProductRow)>,
    outlets: BTreeMap<String, (i64, OutletRow)>,
    suppliers: BTreeMap<String, (i64, SupplierRow)>,
    stock: BTreeMap<String, (i64, LsStock)>,
    sales: BTreeMap<String, (i64, LsSale)>,
}

impl State {
    fn bump(&mut self) -> i64 {
        self.version += 1;
        self.version
    }

    fn touch(&mut self, id: &str) {
        let v = self.bump();
        if let Some(r) = self.consignments.get_mut(id) {
            r.version = v;
        }
    }
}

fn page<T: Clone>(map: &BTreeMap<String, (i64, T)>, after: i64, n: u32) -> VersionPage<T> {
    let mut items: Vec<(i64, T)> = map.values().filter(|(v, _)| *v > after).cloned().collect();
    items.sort_by_key(|(v, _)| *v);
    items.truncate(n as usize);
    VersionPage {
        max_version: items.last().map(|(v, _)| *v),
        items: items.into_iter().map(|(_, t)| t).collect(),
    }
}

/// The double.
#[derive(Default)]
pub struct MemoryLightspeed {
    state: Mutex<State>,
}

fn bad(msg: &str) -> LsFailure {
    LsFailure::Rejected {
        status: 400,
        body: format!("{{\"error\":\"Bad Request\",\"message\":\"{msg}\"}}"),
    }
}

fn lost() -> LsFailure {
    LsFailure::Retryable {
        message: "connection reset after the request was sent".into(),
        retry_after: None,
        rate_limited: false,
    }
}

impl MemoryLightspeed {
    /// An empty Lightspeed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fails the next call of `op` (`find`, `create`, `get`, `status`, `lines`,
    /// `add`, `put`, `delete`, `bulk`, or `any`).
    pub fn push_fault(&self, op: &'static str, f: Fault) {
        self.state.lock().unwrap().faults.push_back((op, f));
    }

    /// Requests made so far.
    pub fn requests(&self) -> u64 {
        self.state.lock().unwrap().requests
    }

    /// Calls made of one operation.
    pub fn calls(&self, op: &str) -> u64 {
        self.state
            .lock()
            .unwrap()
            .by_op
            .get(op)
            .copied()
            .unwrap_or(0)
    }

    /// Every status change made, in order: (consignment id, new status).
    pub fn history(&self) -> Vec<(String, L)> {
        self.state.lock().unwrap().history.clone()
    }

    /// Adds or changes a product (as someone editing the catalog would).
    pub fn put_product(&self, row: ProductRow) {
        let mut st = self.state.lock().unwrap();
        let v = st.bump();
        st.products.insert(row.id.clone(), (v, row));
    }

    /// Adds or renames an outlet.
    pub fn put_outlet(&self, row: OutletRow) {
        let mut st = self.state.lock().unwrap();
        let v = st.bump();
        st.outlets.insert(row.id.clone(), (v, row));
    }

    /// Adds or renames a supplier.
    pub fn put_supplier(&self, row: SupplierRow) {
        let mut st = self.state.lock().unwrap();
        let v = st.bump();
        st.suppliers.insert(row.id.clone(), (v, row));
    }

    /// Sets an outlet's stock record of a product (a new version).
    pub fn put_stock(&self, row: LsStock) {
        let mut st = self.state.lock().unwrap();
        let v = st.bump();
        let key = format!("{}:{}", row.outlet_id, row.product_id);
        st.stock.insert(key, (v, row));
    }

    /// Adds or changes a sale (a new version).
    pub fn put_sale(&self, row: LsSale) {
        let mut st = self.state.lock().unwrap();
        let v = st.bump();
        st.sales.insert(row.id.clone(), (v, row));
    }

    /// Someone changes a consignment's status in Lightspeed directly (no request
    /// of Tally's is counted). Any status, legal or not: the poller must cope.
    pub fn force_status(&self, id: &str, status: L) {
        let mut st = self.state.lock().unwrap();
        if let Some(r) = st.consignments.get_mut(id) {
            r.c.status = status;
        }
        st.touch(id);
    }

    /// Every remote consignment.
    pub fn all(&self) -> Vec<Remote> {
        self.state
            .lock()
            .unwrap()
            .consignments
            .values()
            .cloned()
            .collect()
    }

    fn call<R>(&self, name: &str, op: impl FnOnce(&mut State) -> LsResult<R>) -> LsResult<R> {
        let mut st = self.state.lock().unwrap();
        st.requests += 1;
        *st.by_op.entry(name.to_string()).or_default() += 1;
        let hit = st
            .faults
            .iter()
            .position(|(o, _)| *o == name || *o == "any")
            .and_then(|i| st.faults.remove(i))
            .map(|(_, f)| f);
        match hit {
            Some(Fault::Before(f)) => Err(f),
            Some(Fault::LoseResponse) => {
                let _ = op(&mut st);
                Err(lost())
            }
            None => op(&mut st),
        }
    }
}

fn remote<'a>(st: &'a mut State, id: &str) -> LsResult<&'a mut Remote> {
    st.consignments.get_mut(id).ok_or(LsFailure::Rejected {
        status: 404,
        body: "{\"error\":\"Not Found\"}".into(),
    })
}

fn editable(r: &Remote) -> LsResult<()> {
    if matches!(
        r.c.status,
        L::Received | L::Cancelled | L::StocktakeComplete | L::Closed
    ) {
        Err(bad("lines cannot change once closed"))
    } else {
        Ok(())
    }
}

impl LightspeedPort for MemoryLightspeed {
    async fn find_consignment_by_reference(
        &self,
        reference: &str,
    ) -> LsResult<Option<LsConsignment>> {
        self.call("find", |st| {
            Ok(st
                .consignments
                .values()
                .find(|r| r.c.reference.as_deref() == Some(reference))
                .map(|r| r.c.clone()))
        })
    }

    async fn create_consignment(&self, new: &NewLsConsignment) -> LsResult<LsConsignment> {
        self.call("create", |st| {
            st.next_id += 1;
            let version = st.bump();
            let c = LsConsignment {
                id: format!("ls-{}", st.next_id),
                kind: new.kind,
                status: new.status,
                reference: Some(new.reference.clone()),
                name: Some(new.name.clone()),
            };
            st.consignments.insert(
                c.id.clone(),
                Remote {
                    c: c.clone(),
                    lines: BTreeMap::new(),
                    version,
                },
            );
            Ok(c)
        })
    }

    async fn consignment(&self, id: &str) -> LsResult<LsConsignment> {
        self.call("get", |st| Ok(remote(st, id)?.c.clone()))
    }

    async fn set_status(&self, id: &str, status: L) -> LsResult<LsConsignment> {
        self.call("status", |st| {
            let r = remote(st, id)?;
            if r.lines.is_empty() {
                return Err(bad("no status change without lines"));
            }
            match rules::ls_next_step(r.c.kind, r.c.status, status) {
                Ok(Some(next)) if next == status => {}
                _ => return Err(bad("illegal status transition")),
            }
            if status == L::Received && r.lines.values().all(|l| l.received.is_zero()) {
                return Err(bad("nothing received"));
            }
            r.c.status = status;
            let c = r.c.clone();
            st.history.push((c.id.clone(), status));
            st.touch(id);
            Ok(c)
        })
    }

    async fn set_name(&self, id: &str, name: &str) -> LsResult<LsConsignment> {
        self.call("name", |st| {
            let r = remote(st, id)?;
            r.c.name = Some(name.to_string());
            let c = r.c.clone();
            st.touch(id);
            Ok(c)
        })
    }

    async fn delete_consignment(&self, id: &str) -> LsResult<()> {
        self.call("delete_consignment", |st| {
            remote(st, id)?;
            st.consignments.remove(id);
            Ok(())
        })
    }

    async fn lines(&self, id: &str) -> LsResult<Vec<LsLine>> {
        self.call("lines", |st| {
            Ok(remote(st, id)?.lines.values().cloned().collect())
        })
    }

    async fn add_line(&self, id: &str, line: &LsLine) -> LsResult<()> {
        self.call("add", |st| {
            let r = remote(st, id)?;
            editable(r)?;
            // Adding a product already present adds to it (the dangerous case).
            let e = r.lines.entry(line.product_id.clone()).or_insert(LsLine {
                count: Decimal::ZERO,
                ..line.clone()
            });
            e.count += line.count;
            st.touch(id);
            Ok(())
        })
    }

    async fn put_line(&self, id: &str, line: &LsLine) -> LsResult<()> {
        self.call("put", |st| {
            let r = remote(st, id)?;
            editable(r)?;
            if !r.lines.contains_key(&line.product_id) {
                return Err(bad("no such line"));
            }
            let auto_dispatch =
                r.c.kind == T::Supplier && r.c.status == L::Sent && !line.received.is_zero();
            if auto_dispatch {
                r.c.status = L::Dispatched;
            }
            r.lines.insert(line.product_id.clone(), line.clone());
            if auto_dispatch {
                st.history.push((id.to_string(), L::Dispatched));
            }
            st.touch(id);
            Ok(())
        })
    }

    async fn delete_line(&self, id: &str, product_id: &str) -> LsResult<()> {
        self.call("delete", |st| {
            let r = remote(st, id)?;
            editable(r)?;
            r.lines.remove(product_id);
            st.touch(id);
            Ok(())
        })
    }

    async fn bulk_add_lines(&self, id: &str, lines: &[LsLine]) -> LsResult<()> {
        self.call("bulk", |st| {
            let r = remote(st, id)?;
            editable(r)?;
            if lines.len() > super::BULK_LIMIT {
                return Err(bad("too many lines"));
            }
            for l in lines {
                let e = r.lines.entry(l.product_id.clone()).or_insert(LsLine {
                    count: Decimal::ZERO,
                    ..l.clone()
                });
                e.count += l.count;
            }
            st.touch(id);
            Ok(())
        })
    }

    async fn products_after(&self, after: i64, n: u32) -> LsResult<VersionPage<ProductRow>> {
        self.call("products", |st| Ok(page(&st.products, after, n)))
    }

    async fn outlets_after(&self, after: i64, n: u32) -> LsResult<VersionPage<OutletRow>> {
        self.call("outlets", |st| Ok(page(&st.outlets, after, n)))
    }

    async fn suppliers_after(&self, after: i64, n: u32) -> LsResult<VersionPage<SupplierRow>> {
        self.call("suppliers", |st| Ok(page(&st.suppliers, after, n)))
    }

    async fn inventory_after(&self, after: i64, n: u32) -> LsResult<VersionPage<LsStock>> {
        self.call("inventory", |st| Ok(page(&st.stock, after, n)))
    }

    async fn sales_after(&self, after: i64, n: u32) -> LsResult<VersionPage<LsSale>> {
        self.call("sales", |st| Ok(page(&st.sales, after, n)))
    }

    async fn consignments_after(
        &self,
        after: i64,
        n: u32,
    ) -> LsResult<VersionPage<LsConsignmentChange>> {
        self.call("consignments", |st| {
            let map: BTreeMap<String, (i64, LsConsignmentChange)> = st
                .consignments
                .values()
                .map(|r| {
                    (
                        r.c.id.clone(),
                        (
                            r.version,
                            LsConsignmentChange {
                                id: r.c.id.clone(),
                                status: r.c.status,
                                reference: r.c.reference.clone(),
                                deleted: false,
                            },
                        ),
                    )
                })
                .collect();
            Ok(page(&map, after, n))
        })
    }
}
