use super::*;
use std::io::Write;

const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/openbao-2.7.2-small.snap");

fn check(bytes: &[u8]) -> Result<ArchiveReport, BackupError> {
    check_archive(ArchiveKind::Raft, bytes, None)
}

fn build(members: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        tar.append_data(&mut header, name, *data).expect("append");
    }
    let gz = tar.into_inner().expect("tar");
    gz.finish().expect("gzip")
}

fn sums(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in members {
        let mut d = Digest::default();
        d.update(data);
        writeln!(out, "{}  {name}", d.hex()).expect("write");
    }
    out
}

#[test]
fn the_real_openbao_snapshot_passes() {
    let report = check(FIXTURE).expect("the OpenBao 2.7.2 snapshot is sound");
    assert_eq!(report.raft_index, Some(57));
}

#[test]
fn empty_truncated_and_flipped_copies_are_rejected_with_a_reason() {
    let empty = check(b"").expect_err("empty");
    assert_eq!(empty.kind(), crate::BackupErrorKind::Integrity);
    assert!(empty.message().contains("empty"), "{empty}");
    for cut in [10, FIXTURE.len() / 2, FIXTURE.len() - 4] {
        let e = check(&FIXTURE[..cut]).expect_err("truncated");
        assert_eq!(e.kind(), crate::BackupErrorKind::Integrity, "{e}");
        assert!(
            e.message().contains("truncated") || e.message().contains("damaged"),
            "cut at {cut}: {e}"
        );
    }
    for at in [20, FIXTURE.len() / 3, FIXTURE.len() / 2, FIXTURE.len() - 6] {
        let mut flipped = FIXTURE.to_vec();
        flipped[at] ^= 0x40;
        let e = check(&flipped).expect_err("bit flip");
        assert_eq!(
            e.kind(),
            crate::BackupErrorKind::Integrity,
            "flip at {at}: {e}"
        );
    }
}

#[test]
fn a_wrong_inner_checksum_is_named() {
    let meta = br#"{"Index":3,"Size":5}"#;
    let mut bad_sums = sums(&[("meta.json", meta), ("state.bin", b"hello")]);
    bad_sums[0] = if bad_sums[0] == b'0' { b'1' } else { b'0' };
    let bytes = build(&[
        ("meta.json", meta),
        ("state.bin", b"hello"),
        ("SHA256SUMS", &bad_sums),
        ("SHA256SUMS.sealed", b"x"),
    ]);
    let e = check(&bytes).expect_err("mismatch");
    assert!(e.message().contains("checksum mismatch"), "{e}");
    assert!(e.message().contains("meta.json"), "{e}");
}

#[test]
fn members_are_whitelisted_and_required() {
    let meta: &[u8] = br#"{"Index":3,"Size":5}"#;
    let good = sums(&[("meta.json", meta), ("state.bin", b"hello")]);
    let ok = build(&[
        ("meta.json", meta),
        ("state.bin", b"hello"),
        ("SHA256SUMS", &good),
        ("SHA256SUMS.sealed", b"x"),
    ]);
    assert_eq!(check(&ok).expect("sound").raft_index, Some(3));

    let extra = build(&[("meta.json", meta), ("notes.txt", b"x")]);
    assert!(
        check(&extra)
            .expect_err("extra")
            .message()
            .contains("unexpected member")
    );

    let unsealed = build(&[
        ("meta.json", meta),
        ("state.bin", b"hello"),
        ("SHA256SUMS", &good),
        ("SHA256SUMS.sealed", b""),
    ]);
    assert!(
        check(&unsealed)
            .expect_err("empty seal")
            .message()
            .contains("SHA256SUMS.sealed")
    );

    let no_seal = build(&[
        ("meta.json", meta),
        ("state.bin", b"hello"),
        ("SHA256SUMS", &good),
    ]);
    assert!(
        check(&no_seal)
            .expect_err("no seal")
            .message()
            .contains("SHA256SUMS.sealed")
    );

    let wrong_size: &[u8] = br#"{"Index":3,"Size":6}"#;
    let s = sums(&[("meta.json", wrong_size), ("state.bin", b"hello")]);
    let sized = build(&[
        ("meta.json", wrong_size),
        ("state.bin", b"hello"),
        ("SHA256SUMS", &s),
        ("SHA256SUMS.sealed", b"x"),
    ]);
    assert!(
        check(&sized)
            .expect_err("size")
            .message()
            .contains("state.bin")
    );

    let bomb = build(&[("meta.json", &[b' '; 9000])]);
    assert!(
        check(&bomb)
            .expect_err("cap")
            .message()
            .contains("larger than")
    );
}

#[test]
fn logical_exports_need_manifest_first_and_sums_last() {
    let manifest: &[u8] = br#"{"format":"vaultkit-kv-export"}"#;
    let secret: &[u8] = br#"{"path":"a"}"#;
    let s = sums(&[
        ("manifest.json", manifest),
        ("secrets/00000001.json", secret),
    ]);
    let ok = build(&[
        ("manifest.json", manifest),
        ("secrets/00000001.json", secret),
        ("SHA256SUMS", &s),
    ]);
    let mut seen = Vec::new();
    let mut sink = |name: &str, bytes: Vec<u8>| {
        seen.push((name.to_string(), bytes));
        Ok(())
    };
    let report = check_archive(ArchiveKind::Logical, &ok[..], Some(&mut sink)).expect("sound");
    assert_eq!(report.secrets, 1);
    assert_eq!(
        seen,
        vec![("secrets/00000001.json".to_string(), secret.to_vec())]
    );

    let no_sums = build(&[
        ("manifest.json", manifest),
        ("secrets/00000001.json", secret),
    ]);
    assert!(check_archive(ArchiveKind::Logical, &no_sums[..], None).is_err());
    let bad_name = build(&[("manifest.json", manifest), ("secrets/x.json", secret)]);
    assert!(check_archive(ArchiveKind::Logical, &bad_name[..], None).is_err());
}
