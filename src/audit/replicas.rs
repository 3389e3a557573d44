//! Several gateways' logs read as one view: each replica writes its own chain (its own
//! directory, sequence numbers, checkpoints and witness), and an officer reads them
//! together, each chain verified on its own and the entries merged by time.
//!
//! Owns finding the replicas (directories given one by one, or a directory whose
//! subdirectories are logs) and the merge: a streaming k-way merge of the replicas' entries
//! by their time, ties broken by the order the replicas were given, so a replica's own
//! entries keep their order. Verifying is [`super::verify`]'s, per replica.

use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};

use super::query::{entry_time, Filter};
use super::{io_err, segments, split_mac, AuditError, Entry, CHECKPOINTS};

/// One replica's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
    /// How reports name it: its directory's name (made unique).
    pub name: String,
    pub dir: PathBuf,
}

impl Replica {
    /// A single log, named after its directory.
    pub fn single(dir: &Path) -> Replica {
        Replica {
            name: dir_name(dir),
            dir: dir.to_path_buf(),
        }
    }
}

fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// Whether `dir` holds a log of its own (segments or checkpoints).
fn is_log(dir: &Path) -> Result<bool, AuditError> {
    Ok(!segments(dir)?.is_empty() || dir.join(CHECKPOINTS).is_file())
}

/// The replicas behind the directories given: a directory holding a log is one; a
/// directory holding none whose subdirectories hold logs stands for each of them (sorted
/// by name). Names are the directories' names, with `#2`, `#3`… added to repeats.
pub fn discover(dirs: &[PathBuf]) -> Result<Vec<Replica>, AuditError> {
    let mut found = Vec::new();
    for dir in dirs {
        if is_log(dir)? {
            found.push(dir.clone());
            continue;
        }
        let mut subs = Vec::new();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                // A log's own `officer` chain is part of that log, not a replica.
                let own = p.file_name().is_some_and(|n| n == "officer");
                if p.is_dir() && !own && is_log(&p)? {
                    subs.push(p);
                }
            }
        }
        subs.sort();
        if subs.is_empty() {
            // An empty log: verification says so, per replica.
            found.push(dir.clone());
        }
        found.extend(subs);
    }
    let mut out: Vec<Replica> = Vec::with_capacity(found.len());
    for dir in found {
        let base = dir_name(&dir);
        let mut name = base.clone();
        let mut n = 1;
        while out.iter().any(|r| r.name == name) {
            n += 1;
            name = format!("{base}#{n}");
        }
        out.push(Replica { name, dir });
    }
    Ok(out)
}

/// A replica's entries in log order, parsed (lines that do not parse are skipped, as
/// [`super::query::scan`] skips them; `audit verify` is what judges integrity).
struct Reader {
    segments: std::vec::IntoIter<PathBuf>,
    current: Option<(PathBuf, Lines<BufReader<std::fs::File>>)>,
}

impl Reader {
    fn open(dir: &Path) -> Result<Reader, AuditError> {
        Ok(Reader {
            segments: segments(dir)?.into_iter(),
            current: None,
        })
    }

    fn next_entry(&mut self) -> Result<Option<(Entry, String)>, AuditError> {
        loop {
            if self.current.is_none() {
                let Some(path) = self.segments.next() else {
                    return Ok(None);
                };
                let f = std::fs::File::open(&path).map_err(|e| io_err(&path, e))?;
                self.current = Some((path, BufReader::with_capacity(1 << 20, f).lines()));
            }
            let Some((path, lines)) = self.current.as_mut() else {
                continue;
            };
            match lines.next() {
                None => self.current = None,
                Some(Err(e)) => return Err(io_err(path, e)),
                Some(Ok(line)) => {
                    let parsed = split_mac(&line)
                        .and_then(|(body, _)| serde_json::from_str::<Entry>(&body).ok());
                    if let Some(entry) = parsed {
                        return Ok(Some((entry, line)));
                    }
                }
            }
        }
    }
}

/// The head of one replica's stream, with the time it sorts by.
struct Head {
    at: Option<time::OffsetDateTime>,
    entry: Entry,
    line: String,
}

/// Calls `f` with every entry matching `filter` across `replicas`, merged by time (the
/// index is the replica's in `replicas`). An entry whose time does not parse sorts with
/// its replica's previous entry, so a replica's own order is never changed.
pub fn scan(
    replicas: &[Replica],
    filter: &Filter,
    mut f: impl FnMut(usize, &Entry, &str),
) -> Result<(), AuditError> {
    let mut readers = replicas
        .iter()
        .map(|r| Reader::open(&r.dir))
        .collect::<Result<Vec<_>, _>>()?;
    let mut last: Vec<Option<time::OffsetDateTime>> = vec![None; readers.len()];
    let mut heads: Vec<Option<Head>> = Vec::with_capacity(readers.len());
    for (i, r) in readers.iter_mut().enumerate() {
        heads.push(next_head(r, &mut last[i])?);
    }
    loop {
        let mut best: Option<usize> = None;
        for (i, h) in heads.iter().enumerate() {
            let Some(h) = h else { continue };
            let earlier = match best.and_then(|b| heads[b].as_ref()) {
                None => true,
                Some(b) => h.at < b.at,
            };
            if earlier {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            return Ok(());
        };
        let head = heads[i].take();
        if let Some(h) = head {
            if filter.matches(&h.entry) {
                f(i, &h.entry, &h.line);
            }
        }
        heads[i] = next_head(&mut readers[i], &mut last[i])?;
    }
}

fn next_head(
    r: &mut Reader,
    last: &mut Option<time::OffsetDateTime>,
) -> Result<Option<Head>, AuditError> {
    Ok(r.next_entry()?.map(|(entry, line)| {
        let at = entry_time(&entry.ts).or(*last);
        *last = at;
        Head { at, entry, line }
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;
    use crate::audit::{Action, AuditLog, Event, Settings};
    use crate::keys::MasterKey;

    #[test]
    fn two_logs_merge_by_time_and_each_keeps_its_order() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let master = MasterKey::from_bytes([5; 32]);
        let (a, b) = (tmp.path().join("gw-a"), tmp.path().join("gw-b"));
        let la = AuditLog::open(&a, &master, Settings::default()).expect("open a");
        let lb = AuditLog::open(&b, &master, Settings::default()).expect("open b");
        // Alternate writes, each made durable before the next, so times interleave.
        for i in 0..6 {
            let (log, route) = if i % 2 == 0 { (&la, "a") } else { (&lb, "b") };
            let mut e = Event::new(Action::Tokenize, "ok");
            e.route = Some(format!("{route}{i}"));
            log.record_durable_blocking(vec![e]).expect("record");
        }
        la.close().expect("close");
        lb.close().expect("close");
        let replicas = discover(&[tmp.path().to_path_buf()]).expect("discover");
        assert_eq!(
            replicas.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["gw-a", "gw-b"]
        );
        let mut seen = Vec::new();
        scan(&replicas, &Filter::default(), |i, e, _| {
            seen.push((i, e.seq, e.event.route.clone().unwrap_or_default()));
        })
        .expect("scan");
        let routes: Vec<&str> = seen.iter().map(|s| s.2.as_str()).collect();
        assert_eq!(routes, ["a0", "b1", "a2", "b3", "a4", "b5"]);
        assert_eq!(seen[0].1, 1);
        assert_eq!(seen[5], (1, 3, "b5".into()));
        // The same directory twice is two replicas with distinct names.
        let twice = discover(&[a.clone(), a]).expect("discover");
        assert_eq!(twice[1].name, "gw-a#2");
    }
}
