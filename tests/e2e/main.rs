//! End-to-end tests: the built `vaultkit` binary against a real OpenBao dev server.
//!
//! Every test starts its own server (vault-testkit) and runs the binary in a temporary `HOME`.
//! Topics:
//! - [`status`]: `status` in every format, golden table, exit code 5 when unreachable / sealed.
//! - [`kv`]: every `kv` subcommand on KV v2 and v1, data input forms, formats, `--field`, exit codes.
//! - [`kv_listing`]: `kv list` on a missing folder is exit 3; `kv tree` reports unlistable
//!   folders on stderr and prints the rest.
//! - [`transfer`]: `kv tree` (masked / `--reveal`), `kv export`, `kv import` dry run / apply / conflict.
//! - [`env_exec`]: `env` quoting round trips through `sh`; `exec` environment, exit codes, signals.
//! - [`access`]: `policy`, `login` (token, AppRole, Kubernetes), permission / usage / validation exit codes.
//! - [`config`]: profiles, one source per connection (a named profile beats the environment), flags
//!   on top, errors naming the source, no credentials read by commands that need no token.
//! - [`leaks`]: a planted secret never appears unless a command was asked to print it.
//! - [`logging`]: `-v` / `VAULTKIT_LOG` show library warnings (a retry); stderr clean without.
//! - [`audit`]: every `audit` subcommand on a log written by OpenBao's file audit device.
//! - [`audit_filters`]: each `audit filter` option (and `-` for stdin) selects exactly the
//!   expected entries of a fixture.
//! - [`audit_plaintext`]: a plaintext planted in the log or given to `find-value` never shows,
//!   in any audit command or format.
//! - [`audit_first_hour`]: first-hour defects of `audit` (report file, title, line numbers, `--path`).
//! - [`migrate`]: `migrate scan|plan|apply|validate` on a bike-data-flow `.env`.
//! - [`backup`]: `backup keygen|create|list|verify|restore` on a Raft server: an encrypted FULL
//!   snapshot restores a deleted secret, LOGICAL restores one subtree, refusals and exit codes.
//! - [`backup_schedule`]: `backup schedule|stats|daemon`: schedules in the store (hostile files
//!   refused), statistics and the overdue exit code, the daemon on Raft and its webhook alert.
//! - [`migrate_paths`]: every way of naming sources and plans, KV v1, `migrate plan --diff`.
//! - [`rotate`]: `rotate policy|run|now|status|history|daemon`, with the random rotator and a real
//!   PostgreSQL role; failures keep the old value; the daemon reloads policies and stops on SIGTERM.
//! - [`races`]: `kv import` and `migrate apply` against a writer racing them (KV v1 and v2).
//! - [`transport`]: `--ca-cert` / `VAULT_CACERT` / `--tls-skip-verify` on HTTPS; namespaces.
//! - [`dev`]: `vaultkit dev` starts a server, prints exports, stops on SIGTERM; a taken port is exit 5
//!   with no exports; `--audit-log` gives a file audit device; `audit hash` without one.
//! - [`contract`]: `VAULT_TOKEN` wins over `VAULT_ROLE_ID` + `VAULT_SECRET_ID` (every combination);
//!   connection errors name the user's operation and path; offline commands show no connection flags.
//! - [`first_hour`]: first-hour defects of `kv` (missing mounts, `cas_required`, values, import output).
//! - [`security`]: hostile secrets, keys, request paths, symlinks and process lists (hardening).
//! - [`docs`]: every ```` ```console ```` example of README.md and docs/*.md, run in order.

mod access;
mod audit;
mod audit_filters;
mod audit_first_hour;
mod audit_plaintext;
mod backup;
mod backup_schedule;
mod config;
mod contract;
mod dev;
mod docs;
mod env_exec;
mod first_hour;
mod kv;
mod kv_listing;
mod leaks;
mod logging;
mod migrate;
mod migrate_paths;
mod races;
mod rotate;
mod security;
mod status;
mod support;
mod transfer;
mod transport;
