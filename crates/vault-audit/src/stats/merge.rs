//! Merging the builders of consecutive chunks of one input.

use super::{KEEP_LISTED, StatsAccumulator, unpaired_request, unpaired_response};
use crate::fxhash::FxMap;
use crate::read::{Location, Malformed};

fn add_counts(into: &mut FxMap<Box<str>, u64>, from: FxMap<Box<str>, u64>) {
    if into.is_empty() {
        *into = from;
        return;
    }
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
}

fn shift(loc: Location, file: u32, line_offset: u64) -> Location {
    Location {
        file,
        line: loc.line + line_offset,
    }
}

impl StatsAccumulator {
    /// A builder for one chunk of a larger input: responses without a request are held back
    /// for [`StatsAccumulator::merge`].
    pub(crate) fn for_chunk() -> Self {
        StatsAccumulator {
            chunk_orphans: Some(Vec::new()),
            ..Self::default()
        }
    }

    /// Folds in the builder of the chunk that comes right after everything merged so far.
    /// Its locations are relative to the chunk: they get file `file` and `line_offset` added.
    pub(crate) fn merge(&mut self, mut next: StatsAccumulator, file: u32, line_offset: u64) {
        let (a, b) = (&mut self.s, &mut next.s);
        a.entries += b.entries;
        a.requests += b.requests;
        a.responses += b.responses;
        a.other_types += b.other_types;
        a.errors += b.errors;
        a.permission_denied += b.permission_denied;
        a.logins_ok += b.logins_ok;
        a.logins_failed += b.logins_failed;
        a.paired += b.paired;
        a.unpaired_requests += b.unpaired_requests;
        a.unpaired_responses += b.unpaired_responses;
        for mut e in b.error_entries.drain(..) {
            if a.error_entries.len() >= KEEP_LISTED {
                break;
            }
            e.location = shift(e.location, file, line_offset);
            a.error_entries.push(e);
        }
        for mut u in b.unpaired.drain(..) {
            if a.unpaired.len() >= KEEP_LISTED {
                break;
            }
            u.location = shift(u.location, file, line_offset);
            a.unpaired.push(u);
        }
        add_counts(&mut self.ops, next.ops);
        add_counts(&mut self.req_ops, next.req_ops);
        add_counts(&mut self.paths, next.paths);
        add_counts(&mut self.actors, next.actors);
        add_counts(&mut self.ips, next.ips);
        add_counts(&mut self.mounts, next.mounts);
        if let Some((m, n)) = next.last_minute.take() {
            *next.minutes.entry(m).or_default() += n;
        }
        if let Some((m, n)) = self.last_minute.take() {
            *self.minutes.entry(m).or_default() += n;
        }
        for (m, n) in next.minutes {
            *self.minutes.entry(m).or_default() += n;
        }
        self.min_t = match (self.min_t, next.min_t) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        self.max_t = match (self.max_t, next.max_t) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        // Responses whose request was not in their chunk: look in everything before it.
        for (id, (loc, op, path)) in next.chunk_orphans.take().unwrap_or_default() {
            if self.pending.remove(&id).is_some() {
                self.s.paired += 1;
            } else {
                let loc = shift(loc, file, line_offset);
                unpaired_response(&mut self.s, loc, &id, op.as_deref(), path.as_deref());
            }
        }
        for (id, (loc, op, path)) in next.pending {
            let meta = (shift(loc, file, line_offset), op, path);
            if let Some(old) = self.pending.insert(id.clone(), meta) {
                unpaired_request(&mut self.s, &id, old);
            }
        }
    }
}

/// Appends `next` (locations relative to a chunk) to `into`.
pub(crate) fn merge_malformed(
    into: &mut Malformed,
    next: Malformed,
    line_offset: u64,
    keep: usize,
) {
    into.count += next.count;
    for mut m in next.first {
        if into.first.len() >= keep {
            break;
        }
        m.line += line_offset;
        into.first.push(m);
    }
}
