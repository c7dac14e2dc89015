//! The device key that signs evidence bundles (Ed25519, RFC 8032).
//!
//! The key is made where the evidence is captured (the extension's storage, or a CLI key file)
//! from 32 random bytes the caller supplies: the core has no randomness of its own. Its public
//! half travels in every bundle, and its fingerprint lets a helpline see that several bundles
//! came from the same device. A signature proves the files have not changed since they were
//! signed; it does not prove who served the content (see the bundle's statement).

use crate::Error;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The only algorithm bundles use, as written in manifests.
pub const ALGORITHM: &str = "Ed25519";

/// A public key as it appears in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKeyInfo {
    /// Always `"Ed25519"`.
    pub algorithm: String,
    /// The 32-byte public key, base64.
    pub public_key: String,
    /// First 16 bytes of SHA-256 of the public key, hex in groups of four: short enough to read
    /// out over the phone.
    pub fingerprint: String,
}

/// The signing key made from a 32-byte seed.
pub fn signing_key(seed: &[u8]) -> Result<SigningKey, Error> {
    let seed: [u8; 32] = seed
        .try_into()
        .map_err(|_| Error::invalid(format!("a signing seed has 32 bytes, not {}", seed.len())))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// What a manifest says about the key made from `seed`.
pub fn public_key_info(seed: &[u8]) -> Result<PublicKeyInfo, Error> {
    Ok(describe(&signing_key(seed)?.verifying_key()))
}

pub(crate) fn describe(key: &VerifyingKey) -> PublicKeyInfo {
    PublicKeyInfo {
        algorithm: ALGORITHM.to_owned(),
        public_key: BASE64.encode(key.as_bytes()),
        fingerprint: fingerprint(key.as_bytes()),
    }
}

fn fingerprint(public_key: &[u8]) -> String {
    let hex = crate::sha256_hex(public_key);
    hex.get(..32)
        .unwrap_or_default()
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Signs `message`; the signature in base64.
pub(crate) fn sign(key: &SigningKey, message: &[u8]) -> String {
    BASE64.encode(key.sign(message).to_bytes())
}

/// Why a signature did not check out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureProblem {
    /// The key or signature is not valid base64 of the right length, or the algorithm is not
    /// Ed25519.
    Unreadable,
    /// Well formed, but the signature does not match the message and key.
    Mismatch,
}

/// Checks a base64 signature by a base64 public key over `message`. Uses `verify_strict`, which
/// refuses weak keys and malleable signatures.
pub(crate) fn verify(
    algorithm: &str,
    public_key_b64: &str,
    signature_b64: &str,
    message: &[u8],
) -> Result<(), SignatureProblem> {
    if algorithm != ALGORITHM {
        return Err(SignatureProblem::Unreadable);
    }
    let key_bytes: [u8; 32] = BASE64
        .decode(public_key_b64)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SignatureProblem::Unreadable)?;
    let sig_bytes: [u8; 64] = BASE64
        .decode(signature_b64)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SignatureProblem::Unreadable)?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| SignatureProblem::Unreadable)?;
    key.verify_strict(message, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| SignatureProblem::Mismatch)
}

/// The fingerprint of a base64 public key, or `None` when it is not one.
pub(crate) fn fingerprint_of(public_key_b64: &str) -> Option<String> {
    let bytes = BASE64.decode(public_key_b64).ok()?;
    (bytes.len() == 32).then(|| fingerprint(&bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    // RFC 8032 §7.1, test 1: the empty message.
    const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn matches_rfc_8032_test_vector() {
        let key = signing_key(&unhex(SEED)).unwrap();
        assert_eq!(key.verifying_key().as_bytes().to_vec(), unhex(PUBLIC));
        let sig = sign(&key, b"");
        assert_eq!(BASE64.decode(&sig).unwrap(), unhex(SIG));
        let info = public_key_info(&unhex(SEED)).unwrap();
        assert_eq!(verify(ALGORITHM, &info.public_key, &sig, b""), Ok(()));
        assert_eq!(
            verify(ALGORITHM, &info.public_key, &sig, b"x"),
            Err(SignatureProblem::Mismatch)
        );
        assert_eq!(
            verify("RSA", &info.public_key, &sig, b""),
            Err(SignatureProblem::Unreadable)
        );
        assert_eq!(info.fingerprint.len(), 39);
        assert_eq!(fingerprint_of(&info.public_key), Some(info.fingerprint));
    }

    #[test]
    fn seed_must_be_32_bytes() {
        assert_eq!(
            signing_key(&[0; 31]).map(|_| ()).unwrap_err().code(),
            crate::ErrorCode::InvalidInput
        );
    }
}
