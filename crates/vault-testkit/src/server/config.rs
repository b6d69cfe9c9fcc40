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

/// An extra HTTPS listener for a dev server. With `client_ca`, the listener demands a client
/// certificate signed by that CA (`tls_require_and_verify_client_cert`): mutual TLS.
pub(super) fn tls_listener_config(
    port: u16,
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> String {
    let mutual = client_ca
        .map(|ca| {
            format!(
                "  tls_require_and_verify_client_cert = true\n  tls_client_ca_file = \"{}\"\n",
                hcl_path(ca)
            )
        })
        .unwrap_or_default();
    format!(
        r#"listener "tcp" {{
  address         = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cluster}"
  tls_cert_file   = "{cert}"
  tls_key_file    = "{key}"
{mutual}}}
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

    #[test]
    fn mutual_tls_listener_demands_a_client_certificate() {
        let (cert, key, ca) = (
            Path::new("/c.pem"),
            Path::new("/k.pem"),
            Path::new("/ca.pem"),
        );
        let plain = tls_listener_config(8200, cert, key, None);
        assert!(
            !plain.contains("tls_require_and_verify_client_cert"),
            "{plain}"
        );
        let mutual = tls_listener_config(8200, cert, key, Some(ca));
        assert!(
            mutual.contains("tls_require_and_verify_client_cert = true"),
            "{mutual}"
        );
        assert!(
            mutual.contains(r#"tls_client_ca_file = "/ca.pem""#),
            "{mutual}"
        );
        assert!(mutual.trim_end().ends_with('}'), "{mutual}");
    }
}
