//! The `vaultkit` binary: everything lives in the `vault_cli` library so it can be tested.

fn main() -> std::process::ExitCode {
    vault_cli::main_entry()
}
