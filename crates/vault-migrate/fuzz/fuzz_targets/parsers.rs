//! The YAML, INI, TOML and generic parsers on arbitrary text: no panic, spans valid. The first
//! byte picks the parser so one corpus serves all four.
#![no_main]

#[path = "check.rs"]
mod check;

use libfuzzer_sys::fuzz_target;
use vault_migrate::parse::FileKind;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let kind = match pick % 4 {
        0 => FileKind::Yaml,
        1 => FileKind::Ini,
        2 => FileKind::Toml,
        _ => FileKind::Generic,
    };
    let text = String::from_utf8_lossy(rest);
    check::parse_and_check(kind, &text);
});
