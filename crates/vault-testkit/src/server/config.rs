//! Server configuration files (HCL) for non-dev servers.

use std::path::Path;

/// OpenBao 2 refuses `sys/audit` writes unless this is set; tests enable file audit devices
/// through the API.
const AUDIT_VIA_API: &str = "unsafe_allow_api_audit_creation = true";

/// Extra configuration for a dev server: API audit creation, plus an optional listener.
pub(super) fn dev_extra_config(listener: Option<&str>) -> String {
    format!("{AUDIT_VIA_API}\n{}", listener.unwrap_or_default())
}

/// A single-node Raft server listening on plain HTTP on `port`, cluster traffic on
/// `cluster_port`, data under `data_dir`.
pub(super) fn raft_config(data_dir: &Path, port: u16, cluster_port: u16) -> String {
    format!(
        r#"storage "raft" {{
  path    = "{data}"
  node_id = "vaultkit-test-node"
}}

listener "tcp" {{
  address         = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cluster_port}"
  tls_disable     = true
}}

api_addr      = "http://127.0.0.1:{port}"
cluster_addr  = "https://127.0.0.1:{cluster_port}"
disable_mlock = true
ui            = false
log_level     = "info"
{AUDIT_VIA_API}
"#,
        data = hcl_path(data_dir),
    )
}

/// An extra HTTPS listener for a dev server.
pub(super) fn tls_listener_config(port: u16, cert: &Path, key: &Path) -> String {
    format!(
        r#"listener "tcp" {{
  address         = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cluster}"
  tls_cert_file   = "{cert}"
  tls_key_file    = "{key}"
}}
"#,
        cluster = port.saturating_add(1),
        cert = hcl_path(cert),
        key = hcl_path(key),
    )
}

fn hcl_path(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raft_config_names_ports_and_path() {
        let text = raft_config(Path::new("/tmp/x"), 8200, 8201);
        assert!(text.contains(r#"path    = "/tmp/x""#));
        assert!(text.contains(r#"api_addr      = "http://127.0.0.1:8200""#));
        assert!(text.contains(r#"cluster_addr  = "https://127.0.0.1:8201""#));
        assert!(text.contains("disable_mlock = true"));
    }
}
