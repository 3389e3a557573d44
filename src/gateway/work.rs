//! Running the engine for a request: which settings apply (a route's or the API's), where
//! the work runs (inline, or on the blocking pool under a per-core permit), the thread's
//! detection scratch space, and what is counted in the metrics and the request's trail.
//!
//! Every channel goes through here in both directions: bodies through [`deidentify_body`]
//! and [`reidentify_body`], single values (a header, a path segment, a query) through
//! [`deidentify_field`], [`deidentify_document`] and [`Revealer`]. What the engine does
//! with a document is the engine's ([`crate::engine`]).

use std::cell::RefCell;
use std::sync::Arc;

use bytes::Bytes;

use super::media::BodyKind;
use super::respond::Failure;
use super::trail::{Recording, Trail};
use super::Gateway;
use crate::detect::Scratch;
use crate::engine::reveal::{reveal_form, reveal_text, Allow, RevealStats};
use crate::engine::{ContentType, Engine, Output, ScanError};
use crate::transform::policy::Policy;
use crate::transform::Transformer;
use crate::vault::VaultStore;

thread_local! {
    /// Detection scratch space, one per worker thread, with the generation of the engine
    /// it was made for.
    static SCRATCH: RefCell<Option<(u64, Scratch)>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's detection scratch space, made on first use and again when
/// the engine is another one (after a reload): its search caches belong to one engine's
/// automata, and another engine's rules searched with them are missed.
pub(super) fn with_scratch<T>(engine: &Engine, f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(g, _)| *g != engine.generation) {
            *slot = Some((engine.generation, engine.detector.scratch()));
        }
        match slot.as_mut() {
            Some((_, scratch)) => f(scratch),
            None => f(&mut engine.detector.scratch()),
        }
    })
}

/// Which tokenising settings apply: a route's, or the API's.
#[derive(Clone, Copy)]
pub enum Side {
    Route(usize),
    Api,
}

impl Side {
    fn policy_and_store(self, gw: &Gateway) -> (&Policy, &dyn VaultStore) {
        match self {
            Side::Route(i) => (&gw.routes[i].policy, &*gw.routes[i].store),
            Side::Api => (&gw.api.policy, &*gw.api.store),
        }
    }

    /// The policy, and the store seen through the request's trail.
    fn recording<'a>(
        self,
        gw: &'a Gateway,
        trail: &'a Trail,
        allow: Option<&'a Allow>,
    ) -> (&'a Policy, Recording<'a>) {
        let (policy, store) = self.policy_and_store(gw);
        let rec = Recording {
            store,
            trail,
            keys: gw.audit.keys(),
            allow,
            shield: trail.shield(),
        };
        (policy, rec)
    }
}

/// Bodies up to this size are processed on the runtime's own worker threads.
const INLINE_LIMIT: usize = 64 << 10;

/// Runs CPU-bound work. Small bodies run inline: the runtime has one worker per core, so
/// there is no thread hop and no more threads than cores. Large ones go to the blocking
/// pool, at most one per core at a time, so a few big bodies cannot stall every
/// connection and the thread count stays bounded.
///
/// With a remote vault (PostgreSQL) the work also waits on the database, which must not
/// happen on a runtime worker: every body goes to the blocking pool, small ones without a
/// per-core permit (they mostly wait; `max_concurrent` bounds them).
pub(super) async fn cpu_work<T: Send + 'static>(
    gw: &Arc<Gateway>,
    size: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    let local = gw.vault.is_local();
    if size <= INLINE_LIMIT && local {
        return Ok(f());
    }
    let _permit = match size > INLINE_LIMIT {
        true => Some(
            gw.cpu
                .acquire()
                .await
                .map_err(|_| Failure::Internal("the worker pool is closed"))?,
        ),
        false => None,
    };
    // The join error is not kept: a panic's message can quote the text it choked on.
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Failure::Internal("the de-identification task failed"))
}

/// Runs short vault work (a header, the path and query) on the current thread: inline with
/// a local vault, and with a remote one through `block_in_place`, so that waiting on the
/// database never holds up the other tasks of a runtime worker.
pub fn vault_inline<T>(gw: &Gateway, f: impl FnOnce() -> T) -> T {
    if gw.vault.is_local() {
        f()
    } else {
        tokio::task::block_in_place(f)
    }
}

/// De-identifies a body (detection is CPU work: see [`cpu_work`]).
pub async fn deidentify_body(
    gw: &Arc<Gateway>,
    side: Side,
    kind: BodyKind,
    body: Bytes,
    trail: &Arc<Trail>,
) -> Result<Bytes, Failure> {
    let BodyKind::Doc(ct) = kind else {
        return Ok(body);
    };
    let out = body_work(gw, trail, body, move |gw, trail, body| {
        deidentify_document(gw, side, body, ct, trail)
    })
    .await??;
    Ok(Bytes::from(out))
}

/// A de-identified body, and the JSON document it was written from when it is one.
pub struct Deidentified {
    pub body: Bytes,
    pub doc: Option<serde_json::Value>,
}

/// De-identifies a body, keeping a JSON body's document: parsed once (`parsed`, when the
/// caller has parsed it already for the claim check), walked in place by the engine,
/// written out for forwarding, and kept for whoever needs it next (a claims route's
/// evidence snapshot) instead of being parsed again from the bytes. A body that is not
/// JSON, or is labelled JSON but does not parse (a form, say), takes [`deidentify_body`]'s
/// way, which reads it by its real shape.
pub async fn deidentify_keeping_document(
    gw: &Arc<Gateway>,
    side: Side,
    kind: BodyKind,
    body: Bytes,
    parsed: Option<serde_json::Value>,
    trail: &Arc<Trail>,
) -> Result<Deidentified, Failure> {
    let BodyKind::Doc(ct @ (ContentType::Json | ContentType::FhirJson)) = kind else {
        let body = deidentify_body(gw, side, kind, body, trail).await?;
        return Ok(Deidentified { body, doc: None });
    };
    let fhir = ct == ContentType::FhirJson;
    let walked = body_work(gw, trail, body.clone(), move |gw, trail, body| {
        let Some(mut doc) = parsed.or_else(|| parse_document(&gw.engine, body)) else {
            return Ok(None);
        };
        run_engine(gw, side, trail, |t, s| {
            let reread = || reparse(&gw.engine, body);
            let counts = gw.engine.deidentify_json(&mut doc, fhir, t, s, reread)?;
            Ok(Output {
                counts,
                ..Output::default()
            })
        })?;
        Ok::<_, Failure>(Some(doc))
    })
    .await??;
    match walked {
        Some(doc) => {
            let text = serde_json::to_vec(&doc).map_err(|_| {
                Failure::Internal("the de-identified document could not be written")
            })?;
            Ok(Deidentified {
                body: Bytes::from(text),
                doc: Some(doc),
            })
        }
        None => {
            let body = deidentify_body(gw, side, kind, body, trail).await?;
            Ok(Deidentified { body, doc: None })
        }
    }
}

/// A body parsed as one JSON document, or `None` when it is not one.
pub fn parse_document(engine: &Engine, body: &[u8]) -> Option<serde_json::Value> {
    reparse(engine, body).ok()
}

/// A body parsed as one JSON document, with the reason when it is not one.
fn reparse(engine: &Engine, body: &[u8]) -> Result<serde_json::Value, ScanError> {
    let text = engine.readable(body)?;
    crate::engine::json::parse(text.trim())
}

/// Runs `f` over a request's body as [`cpu_work`], with the gateway and trail it needs.
async fn body_work<T: Send + 'static>(
    gw: &Arc<Gateway>,
    trail: &Arc<Trail>,
    body: Bytes,
    f: impl FnOnce(&Gateway, &Trail, &[u8]) -> T + Send + 'static,
) -> Result<T, Failure> {
    let gw2 = Arc::clone(gw);
    let trail2 = Arc::clone(trail);
    cpu_work(gw, body.len(), move || f(&gw2, &trail2, &body)).await
}

/// De-identifies one value on its own (a header, a path segment): identifier shapes and
/// names are found without a cue.
pub fn deidentify_field(
    gw: &Gateway,
    side: Side,
    text: &str,
    trail: &Trail,
) -> Result<String, Failure> {
    run_engine(gw, side, trail, |t, s| {
        gw.engine.deidentify_field(text, t, s)
    })
}

/// De-identifies one document where the caller runs. Every channel (body, path, query,
/// header) goes through here or [`deidentify_field`].
pub fn deidentify_document(
    gw: &Gateway,
    side: Side,
    input: &[u8],
    ct: ContentType,
    trail: &Trail,
) -> Result<String, Failure> {
    run_engine(gw, side, trail, |t, s| {
        gw.engine.deidentify(input, ct, t, s)
    })
}

/// Runs the engine with this thread's scratch space and the request's echo list (what was
/// revealed to the clinic is PHI in whatever it sends out), counting what was found in the
/// metrics and the request's trail.
fn run_engine(
    gw: &Gateway,
    side: Side,
    trail: &Trail,
    f: impl FnOnce(&Transformer<'_>, &mut Scratch) -> Result<Output, ScanError>,
) -> Result<String, Failure> {
    let (policy, store) = side.recording(gw, trail, None);
    let t = gw.engine.transformer_keyed(policy, &store, &gw.date_key);
    let echo = trail.echo();
    let out = with_scratch(&gw.engine, |s| {
        s.echo = echo;
        s.nesting = 0;
        let out = f(&t, s);
        s.echo = None;
        out
    })?;
    gw.metrics.phi_found(&out.counts);
    gw.metrics.tokens_issued(out.counts.iter().sum());
    trail.found(&out.counts);
    Ok(out.text)
}

/// Replaces tokens in a body with the values the caller may see.
pub async fn reidentify_body(
    gw: &Arc<Gateway>,
    side: Side,
    kind: BodyKind,
    body: Bytes,
    allow: Allow,
    trail: &Arc<Trail>,
) -> Result<Bytes, Failure> {
    let BodyKind::Doc(ct) = kind else {
        return Ok(body);
    };
    let (out, stats) = body_work(gw, trail, body, move |gw, trail, body| {
        let (_, rec) = side.recording(gw, trail, Some(&allow));
        let mut stats = RevealStats::default();
        let out = gw.engine.reidentify(body, ct, &rec, &allow, &mut stats);
        (out, stats)
    })
    .await?;
    let out = out?;
    gw.metrics
        .reveals(stats.revealed, stats.refused, stats.unknown);
    Ok(Bytes::from(out))
}

/// Reveals single values (header values, path segments, a query) for one request, counting
/// what it did into the metrics when dropped.
pub struct Revealer<'a> {
    gw: &'a Gateway,
    allow: &'a Allow,
    store: Recording<'a>,
    stats: RevealStats,
}

impl<'a> Revealer<'a> {
    pub fn new(gw: &'a Gateway, side: Side, trail: &'a Trail, allow: &'a Allow) -> Revealer<'a> {
        let (_, store) = side.recording(gw, trail, Some(allow));
        Revealer {
            gw,
            allow,
            store,
            stats: RevealStats::default(),
        }
    }

    /// One value (a header, a path segment).
    pub fn field(&mut self, text: &str) -> Result<String, Failure> {
        Ok(reveal_text(text, &self.store, self.allow, &mut self.stats)?)
    }

    /// A query, keys and values.
    pub fn query(&mut self, query: &str) -> Result<String, Failure> {
        Ok(reveal_form(
            query,
            &self.store,
            self.allow,
            &mut self.stats,
        )?)
    }
}

impl Drop for Revealer<'_> {
    fn drop(&mut self) {
        let s = self.stats;
        self.gw.metrics.reveals(s.revealed, s.refused, s.unknown);
    }
}
