//! Sources: rotated directories with gzip, stdin-like readers, follow across rotation.

use std::io::Write;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use vault_audit::{AuditSource, FollowOptions, Follower, ScanOptions, stats};

use super::data;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("compress");
    e.finish().expect("compress")
}

#[test]
fn rotated_directory_with_gzip_reads_in_order() {
    let text = std::fs::read_to_string(data("vault-guides/vault-audit.log")).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let part = |a: usize, b: usize| {
        lines[a..b]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("audit.log.2.gz"),
        gz(part(0, 500).as_bytes()),
    )
    .expect("w");
    std::fs::write(dir.path().join("audit.log.1"), part(500, 1000)).expect("w");
    std::fs::write(dir.path().join("audit.log"), part(1000, lines.len())).expect("w");
    std::fs::write(dir.path().join("notes.txt"), "not a log").expect("w");
    let src = AuditSource::open(dir.path()).expect("open dir");
    let names: Vec<String> = src
        .paths()
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["audit.log.2.gz", "audit.log.1", "audit.log"]);
    let s = stats(&src, &mut ScanOptions::default()).expect("scan");
    assert_eq!(
        (s.entries, s.requests, s.responses, s.distinct_paths),
        (1397, 698, 699, 211)
    );
    // Pairs span file boundaries; the only orphan is still line 1 of the oldest file.
    assert_eq!(
        (s.paired, s.unpaired_responses, s.unpaired_requests),
        (698, 1, 0)
    );
    assert_eq!(s.files.len(), 3);
    // Error lines are numbered within their file (file index 2 = audit.log, line 1371-1000).
    assert_eq!(s.error_entries[0].location.file, 2);
    assert_eq!(s.error_entries[0].location.line, 371);
}

#[test]
fn gzip_reader_and_missing_paths() {
    let bytes = std::fs::read(data("openbao-2.7.2-generated/audit.log")).expect("read");
    let s = stats(
        &AuditSource::reader("stdin-like", std::io::Cursor::new(gz(&bytes))),
        &mut ScanOptions::default(),
    )
    .expect("scan");
    assert_eq!((s.requests, s.responses), (47, 46));
    let err = AuditSource::open("/nonexistent/audit.log").expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/audit.log"), "{err}");
    let empty = tempfile::tempdir().expect("tempdir");
    assert!(
        AuditSource::open(empty.path())
            .expect_err("no logs")
            .to_string()
            .contains("no audit log files")
    );
}

#[test]
fn follow_survives_rotation_and_truncation() {
    let text = std::fs::read_to_string(data("openbao-2.7.2-generated/audit.log")).expect("read");
    let lines: Vec<String> = text.lines().map(|l| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.log");
    std::fs::write(&path, lines[..10].concat()).expect("w");
    let opts = FollowOptions {
        poll_interval: Duration::from_millis(20),
        from_start: true,
        ..Default::default()
    };
    let stop = opts.stop.clone();
    let (tx, rx) = mpsc::channel::<u64>();
    let p2 = path.clone();
    let handle = std::thread::spawn(move || {
        Follower::new(&p2, opts).run(|loc, _, _| {
            let _ = tx.send(loc.line);
            ControlFlow::Continue(())
        })
    });
    let wait_for = |n: usize| -> Vec<u64> {
        let mut got = Vec::new();
        while got.len() < n {
            // Waits for events; the deadline only ends a hung follower (generous for a
            // loaded machine).
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(l) => got.push(l),
                Err(_) => break,
            }
        }
        got
    };
    assert_eq!(wait_for(10).len(), 10);
    // Grow, with a half-written line that completes later.
    let (a, b) = lines[10].split_at(40);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("append");
    f.write_all(a.as_bytes()).expect("w");
    f.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(100));
    f.write_all(b.as_bytes()).expect("w");
    f.write_all(lines[11..20].concat().as_bytes()).expect("w");
    drop(f);
    assert_eq!(wait_for(10), (11..=20).collect::<Vec<u64>>());
    // Rotate: rename away, new file at the path.
    std::fs::rename(&path, dir.path().join("audit.log.1")).expect("rename");
    std::fs::write(&path, lines[20..25].concat()).expect("w");
    assert_eq!(wait_for(5), [1, 2, 3, 4, 5]);
    // Truncate in place and write fewer bytes.
    std::fs::write(&path, lines[25..27].concat()).expect("w");
    assert_eq!(wait_for(2), [1, 2]);
    stop.store(true, Ordering::Relaxed);
    let sum = handle.join().expect("join").expect("follow ok");
    assert_eq!(sum.records, 27);
    assert_eq!(sum.malformed.count, 0);
}

/// A follower that starts at the end of a file (`audit tail` without `--from-start`) numbers the
/// records it sees with the file's physical line numbers, as a full read (`audit filter`) does —
/// not from 1 at the point where it started.
#[test]
fn a_follower_started_at_the_end_numbers_lines_like_the_file() {
    let text = std::fs::read_to_string(data("openbao-2.7.2-generated/audit.log")).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.log");
    // Ten records and a blank line already in the file.
    let head: String = lines[..10].iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, format!("{head}\n")).expect("w");
    let opts = FollowOptions {
        poll_interval: Duration::from_millis(20),
        ..FollowOptions::default()
    };
    let stop = opts.stop.clone();
    let (tx, rx) = mpsc::channel::<(u64, String)>();
    let p2 = path.clone();
    let handle = std::thread::spawn(move || {
        Follower::new(&p2, opts).run(|loc, raw, _| {
            let _ = tx.send((loc.line, String::from_utf8_lossy(raw).into_owned()));
            ControlFlow::Continue(())
        })
    });
    // The follower may open the file before or after any append: keep appending records (each
    // one different) until it reports one.
    let mut appended = 0;
    let (line, raw) = loop {
        assert!(appended < 20, "the follower never reported a record");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("append");
        f.write_all(format!("{}\n", lines[10 + appended]).as_bytes())
            .expect("w");
        drop(f);
        appended += 1;
        if let Ok(seen) = rx.recv_timeout(Duration::from_millis(500)) {
            break seen;
        }
    };
    stop.store(true, Ordering::Relaxed);
    handle.join().expect("join").expect("follow ok");
    let now = std::fs::read_to_string(&path).expect("read");
    let physical: Vec<&str> = now.lines().collect();
    assert!(
        line > 11,
        "line {line}: numbered from where the follower started"
    );
    assert_eq!(
        physical.get(line as usize - 1).copied(),
        Some(raw.trim_end()),
        "line {line} of the file is the record the follower reported"
    );
}
