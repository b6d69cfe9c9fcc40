//! A throw-away PKI for TLS tests, generated with rcgen.
//!
//! [`TestPki::generate`] makes a CA, a server certificate for `127.0.0.1` and `localhost`
//! signed by it, a client certificate signed by it, and a second, unrelated CA (for "wrong CA"
//! tests) with a client certificate of its own (for "foreign client certificate" tests).
//! Everything is written as PEM into a temp dir that lives as long as the `TestPki`.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// Generated CA, server and client certificates as PEM files.
#[derive(Debug)]
pub struct TestPki {
    dir: tempfile::TempDir,
}

const CA_CERT: &str = "ca.pem";
const WRONG_CA_CERT: &str = "wrong-ca.pem";
const SERVER_CERT: &str = "server.pem";
const SERVER_KEY: &str = "server-key.pem";
const CLIENT_CERT: &str = "client.pem";
const CLIENT_KEY: &str = "client-key.pem";
const FOREIGN_CLIENT_CERT: &str = "foreign-client.pem";
const FOREIGN_CLIENT_KEY: &str = "foreign-client-key.pem";

impl TestPki {
    /// Generates the PKI.
    ///
    /// # Panics
    /// When key generation or writing the files fails (test support).
    pub fn generate() -> TestPki {
        match Self::try_generate() {
            Ok(pki) => pki,
            Err(e) => panic!("generating the test PKI failed: {e}"),
        }
    }

    fn try_generate() -> Result<TestPki, String> {
        let dir = tempfile::Builder::new()
            .prefix("vault-testkit-pki-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let ca = new_ca("vaultkit test CA")?;
        let wrong_ca = new_ca("vaultkit unrelated CA")?;

        let server_key = KeyPair::generate().map_err(|e| e.to_string())?;
        let mut server =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .map_err(|e| e.to_string())?;
        server
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let server_cert = server
            .signed_by(&server_key, &ca)
            .map_err(|e| e.to_string())?;

        let (client_cert, client_key) = new_client(&ca)?;
        let (foreign_cert, foreign_key) = new_client(&wrong_ca)?;

        let files = [
            (CA_CERT, ca.pem()),
            (WRONG_CA_CERT, wrong_ca.pem()),
            (SERVER_CERT, server_cert.pem()),
            (SERVER_KEY, server_key.serialize_pem()),
            (CLIENT_CERT, client_cert.pem()),
            (CLIENT_KEY, client_key.serialize_pem()),
            (FOREIGN_CLIENT_CERT, foreign_cert.pem()),
            (FOREIGN_CLIENT_KEY, foreign_key.serialize_pem()),
        ];
        for (name, pem) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, pem).map_err(|e| format!("write {}: {e}", path.display()))?;
        }
        Ok(TestPki { dir })
    }

    /// The CA that signed the server and client certificates.
    pub fn ca_cert_path(&self) -> PathBuf {
        self.path(CA_CERT)
    }

    /// A CA unrelated to the server certificate: trusting only it must fail.
    pub fn wrong_ca_cert_path(&self) -> PathBuf {
        self.path(WRONG_CA_CERT)
    }

    /// Server certificate for `localhost` and `127.0.0.1`.
    pub fn server_cert_path(&self) -> PathBuf {
        self.path(SERVER_CERT)
    }

    /// The server certificate's private key (PKCS#8 PEM).
    pub fn server_key_path(&self) -> PathBuf {
        self.path(SERVER_KEY)
    }

    /// A client certificate signed by the CA.
    pub fn client_cert_path(&self) -> PathBuf {
        self.path(CLIENT_CERT)
    }

    /// The client certificate's private key (PKCS#8 PEM).
    pub fn client_key_path(&self) -> PathBuf {
        self.path(CLIENT_KEY)
    }

    /// A client certificate with the same name as [`client_cert_path`](Self::client_cert_path)
    /// but signed by the unrelated CA: a server that verifies client certificates must refuse it.
    pub fn foreign_client_cert_path(&self) -> PathBuf {
        self.path(FOREIGN_CLIENT_CERT)
    }

    /// The key of [`foreign_client_cert_path`](Self::foreign_client_cert_path).
    pub fn foreign_client_key_path(&self) -> PathBuf {
        self.path(FOREIGN_CLIENT_KEY)
    }

    /// The CA certificate as PEM text.
    pub fn ca_cert_pem(&self) -> String {
        std::fs::read_to_string(self.ca_cert_path())
            .unwrap_or_else(|e| panic!("read {}: {e}", self.ca_cert_path().display()))
    }

    /// The directory holding all files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn new_client(
    issuer: &CertifiedIssuer<'static, KeyPair>,
) -> Result<(rcgen::Certificate, KeyPair), String> {
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "vaultkit test client");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let cert = params.signed_by(&key, issuer).map_err(|e| e.to_string())?;
    Ok((cert, key))
}

fn new_ca(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, String> {
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, key).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_distinct_pem_files() {
        let pki = TestPki::generate();
        let ca = std::fs::read_to_string(pki.ca_cert_path()).expect("ca");
        let wrong = std::fs::read_to_string(pki.wrong_ca_cert_path()).expect("wrong ca");
        let key = std::fs::read_to_string(pki.server_key_path()).expect("key");
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_ne!(ca, wrong);
        assert!(key.contains("PRIVATE KEY"));
        assert!(pki.client_cert_path().is_file() && pki.client_key_path().is_file());
        let client = std::fs::read_to_string(pki.client_cert_path()).expect("client");
        let foreign = std::fs::read_to_string(pki.foreign_client_cert_path()).expect("foreign");
        assert_ne!(client, foreign);
        assert!(pki.foreign_client_key_path().is_file());
    }
}
