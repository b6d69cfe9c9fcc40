//! Free loopback ports.
//!
//! A port is found by binding `127.0.0.1:0` and releasing it. Another process may take it
//! before the server binds it, so callers retry a start that fails with "address already in
//! use".

use std::net::TcpListener;

/// A free port `p` whose neighbour `p + 1` is free too: OpenBao puts a listener's cluster
/// port at `port + 1` unless told otherwise.
pub(crate) fn free_port_pair() -> Result<u16, String> {
    for _ in 0..50 {
        let first =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
        let port = first.local_addr().map_err(|e| e.to_string())?.port();
        let Some(next) = port.checked_add(1) else {
            continue;
        };
        if TcpListener::bind(("127.0.0.1", next)).is_ok() {
            return Ok(port);
        }
    }
    Err("no pair of adjacent free loopback ports found after 50 attempts".to_string())
}

/// A free loopback port (which another process may still take before the caller binds it).
pub(crate) fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}
