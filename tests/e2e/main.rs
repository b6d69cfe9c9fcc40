//! End-to-end tests: the built `vaultkit` binary against a real OpenBao dev server.
//!
//! Every test starts its own server (vault-testkit) and runs the binary in a temporary `HOME`.
//! Topics:
//! - [`status`]: `status` in every format, golden table, exit code 5 when unreachable / sealed.
//! - [`kv`]: every `kv` subcommand on KV v2 and v1, data input forms, formats, `--field`, exit codes.
//! - [`transfer`]: `kv tree` (masked / `--reveal`), `kv export`, `kv import` dry run / apply / conflict.
//! - [`env_exec`]: `env` quoting round trips through `sh`; `exec` environment, exit codes, signals.
//! - [`access`]: `policy`, `login` (token, AppRole, Kubernetes), permission / usage / validation exit codes.
//! - [`config`]: profiles, precedence flags > env > file, `~/.vault-token`.
//! - [`leaks`]: a planted secret never appears unless a command was asked to print it.
//! - [`audit`]: every `audit` subcommand on a log written by OpenBao's file audit device.
//! - [`migrate`]: `migrate scan|plan|apply|validate` on a bike-data-flow `.env`.
//! - [`transport`]: `--ca-cert` / `VAULT_CACERT` / `--tls-skip-verify` on HTTPS; namespaces.
//! - [`dev`]: `vaultkit dev` starts a server, prints exports, stops on SIGTERM.
//! - [`security`]: hostile secrets, keys, request paths, symlinks and process lists (hardening).

mod access;
mod audit;
mod config;
mod dev;
mod env_exec;
mod kv;
mod leaks;
mod migrate;
mod security;
mod status;
mod support;
mod transfer;
mod transport;
