//! Basic Access Control (ICAO 9303-11 §4.3): key seed from the MRZ, mutual
//! authentication with GET CHALLENGE / EXTERNAL AUTHENTICATE, 3DES session keys.

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::crypto::{self, CipherKind, CryptoError, KeyPurpose};
use crate::key::MrzKey;
use crate::sm::SecureMessaging;
use crate::transport::{Transport, TransportError};
use thiserror::Error;

/// Why BAC failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BacError {
    /// The chip refused the cryptogram: almost always a misread MRZ.
    #[error("access denied: check the MRZ (chip answered {0})")]
    AccessDenied(StatusWord),
    /// The chip's answer did not verify with our keys.
    #[error("access denied: check the MRZ (chip cryptogram does not verify)")]
    BadChipCryptogram,
    /// The chip answered something malformed.
    #[error("BAC protocol error: {0}")]
    Protocol(String),
    /// Link failure.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Cipher failure.
    #[error("BAC crypto: {0}")]
    Crypto(#[from] CryptoError),
}

/// The two 3DES document basic access keys.
#[derive(Clone, PartialEq, Eq)]
pub struct BacKeys {
    /// KEnc.
    pub k_enc: Vec<u8>,
    /// KMAC.
    pub k_mac: Vec<u8>,
}

impl std::fmt::Debug for BacKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BacKeys(..)")
    }
}

impl BacKeys {
    /// Derives KEnc and KMAC from the MRZ (Kseed = first 16 bytes of SHA-1 of the MRZ information).
    pub fn from_mrz(key: &MrzKey) -> Result<BacKeys, CryptoError> {
        let seed = key.sha1();
        BacKeys::from_seed(seed.get(..16).unwrap_or(&seed))
    }

    /// Derives KEnc and KMAC from a key seed.
    pub fn from_seed(seed: &[u8]) -> Result<BacKeys, CryptoError> {
        Ok(BacKeys {
            k_enc: crypto::kdf(seed, KeyPurpose::Encryption, 112)?,
            k_mac: crypto::kdf(seed, KeyPurpose::Mac, 112)?,
        })
    }
}

/// Encrypts and MACs a 32-byte authentication block: E || MAC.
fn seal(keys: &BacKeys, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let encrypted = crypto::cbc_encrypt(CipherKind::Tdes, &keys.k_enc, &[0; 8], plain)?;
    let mac = crypto::retail_mac(&keys.k_mac, &crypto::pad(&encrypted, 8))?;
    Ok([encrypted, mac].concat())
}

/// Verifies the MAC and decrypts a 40-byte authentication block.
fn open(keys: &BacKeys, sealed: &[u8]) -> Result<Option<Vec<u8>>, CryptoError> {
    if sealed.len() != 40 {
        return Ok(None);
    }
    let (encrypted, mac) = sealed.split_at(32);
    let expected = crypto::retail_mac(&keys.k_mac, &crypto::pad(encrypted, 8))?;
    if !crypto::equal_constant_time(&expected, mac) {
        return Ok(None);
    }
    Ok(Some(crypto::cbc_decrypt(
        CipherKind::Tdes,
        &keys.k_enc,
        &[0; 8],
        encrypted,
    )?))
}

/// Session keys and SSC from the two key halves and the two challenges.
fn session(
    k_ifd: &[u8],
    k_ic: &[u8],
    rnd_ic: &[u8],
    rnd_ifd: &[u8],
) -> Result<SecureMessaging, CryptoError> {
    let seed: Vec<u8> = k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect();
    let ks_enc = crypto::kdf(&seed, KeyPurpose::Encryption, 112)?;
    let ks_mac = crypto::kdf(&seed, KeyPurpose::Mac, 112)?;
    let mut ssc = rnd_ic.get(4..8).unwrap_or(&[]).to_vec();
    ssc.extend_from_slice(rnd_ifd.get(4..8).unwrap_or(&[]));
    Ok(SecureMessaging::new(CipherKind::Tdes, ks_enc, ks_mac, ssc))
}

/// Terminal side, step 1: the EXTERNAL AUTHENTICATE data from RND.IC, RND.IFD and K.IFD.
pub fn terminal_cryptogram(
    keys: &BacKeys,
    rnd_ic: &[u8],
    rnd_ifd: &[u8],
    k_ifd: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    seal(keys, &[rnd_ifd, rnd_ic, k_ifd].concat())
}

/// Terminal side, step 2: verifies the chip's answer and derives the session.
pub fn terminal_finish(
    keys: &BacKeys,
    answer: &[u8],
    rnd_ic: &[u8],
    rnd_ifd: &[u8],
    k_ifd: &[u8],
) -> Result<SecureMessaging, BacError> {
    let plain = open(keys, answer)?.ok_or(BacError::BadChipCryptogram)?;
    let (echo_ic, rest) = plain.split_at(8);
    let (echo_ifd, k_ic) = rest.split_at(8);
    if echo_ic != rnd_ic || echo_ifd != rnd_ifd {
        return Err(BacError::BadChipCryptogram);
    }
    Ok(session(k_ifd, k_ic, rnd_ic, rnd_ifd)?)
}

/// Chip side (virtual eMRTD): checks the terminal cryptogram against the
/// challenge it issued and answers with its own, returning the session.
/// `None` means the terminal used wrong keys (answer 6300).
pub fn chip_respond(
    keys: &BacKeys,
    command_data: &[u8],
    rnd_ic: &[u8],
    k_ic: &[u8],
) -> Result<Option<(Vec<u8>, SecureMessaging)>, CryptoError> {
    let Some(plain) = open(keys, command_data)? else {
        return Ok(None);
    };
    let (rnd_ifd, rest) = plain.split_at(8);
    let (echo_ic, k_ifd) = rest.split_at(8);
    if echo_ic != rnd_ic {
        return Ok(None);
    }
    let answer = seal(keys, &[rnd_ic, rnd_ifd, k_ic].concat())?;
    Ok(Some((answer, session(k_ifd, k_ic, rnd_ic, rnd_ifd)?)))
}

fn exchange(
    transport: &mut dyn Transport,
    command: &CommandApdu,
) -> Result<ResponseApdu, BacError> {
    let bytes = command
        .to_bytes()
        .map_err(|e| BacError::Protocol(e.to_string()))?;
    let raw = transport.transmit(&bytes)?;
    ResponseApdu::parse(&raw).map_err(|e| BacError::Protocol(e.to_string()))
}

/// Runs BAC over a transport (the eMRTD applet must be selected) and returns the
/// secure messaging session. Counts APDUs into `apdu_count`.
pub fn perform(
    transport: &mut dyn Transport,
    key: &MrzKey,
    apdu_count: &mut u32,
) -> Result<SecureMessaging, BacError> {
    let keys = BacKeys::from_mrz(key)?;
    let challenge = exchange(
        transport,
        &CommandApdu::new(0x00, ins::GET_CHALLENGE, 0, 0).with_ne(8),
    )?;
    *apdu_count += 1;
    if challenge.sw != StatusWord::OK || challenge.data.len() != 8 {
        return Err(BacError::Protocol(format!(
            "GET CHALLENGE answered {} with {} bytes",
            challenge.sw,
            challenge.data.len()
        )));
    }
    let rnd_ifd = crypto::random_bytes(8)?;
    let k_ifd = crypto::random_bytes(16)?;
    let cryptogram = terminal_cryptogram(&keys, &challenge.data, &rnd_ifd, &k_ifd)?;
    let command = CommandApdu::new(0x00, ins::EXTERNAL_AUTHENTICATE, 0, 0)
        .with_data(cryptogram)
        .with_ne(40);
    let answer = exchange(transport, &command)?;
    *apdu_count += 1;
    if answer.sw != StatusWord::OK {
        return Err(BacError::AccessDenied(answer.sw));
    }
    terminal_finish(&keys, &answer.data, &challenge.data, &rnd_ifd, &k_ifd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    fn appendix_d_keys() -> BacKeys {
        let key = MrzKey::new("L898902C", "690806", "940623").expect("valid");
        BacKeys::from_mrz(&key).expect("derives")
    }

    #[test]
    fn icao_appendix_d_key_derivation() {
        let key = MrzKey::new("L898902C", "690806", "940623").expect("valid");
        assert_eq!(
            &key.sha1()[..16],
            &h("239AB9CB282DAF66231DC5A4DF6BFBAE")[..]
        );
        let keys = appendix_d_keys();
        assert_eq!(keys.k_enc, h("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(keys.k_mac, h("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn icao_appendix_d_mutual_authentication() {
        let keys = appendix_d_keys();
        let rnd_ic = h("4608F91988702212");
        let rnd_ifd = h("781723860C06C226");
        let k_ifd = h("0B795240CB7049B01C19B33E32804F0B");
        let k_ic = h("0B4F80323EB3191CB04970CB4052790B");
        let cryptogram = terminal_cryptogram(&keys, &rnd_ic, &rnd_ifd, &k_ifd).expect("seals");
        assert_eq!(
            cryptogram,
            h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
        );
        let (answer, chip_session) = chip_respond(&keys, &cryptogram, &rnd_ic, &k_ic)
            .expect("runs")
            .expect("accepted");
        assert_eq!(
            answer,
            h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
        );
        let session = terminal_finish(&keys, &answer, &rnd_ic, &rnd_ifd, &k_ifd).expect("verifies");
        assert_eq!(session, chip_session);
        let expected = SecureMessaging::new(
            CipherKind::Tdes,
            h("979EC13B1CBFE9DCD01AB0FED307EAE5"),
            h("F1CB1F1FB5ADF208806B89DC579DC1F8"),
            h("887022120C06C226"),
        );
        assert_eq!(session, expected);
    }

    #[test]
    fn wrong_mrz_is_refused_by_the_chip() {
        let wrong = BacKeys::from_mrz(&MrzKey::new("L898902C", "690806", "940624").expect("valid"))
            .expect("derives");
        let cryptogram = terminal_cryptogram(&wrong, &[1; 8], &[2; 8], &[3; 16]).expect("seals");
        assert_eq!(
            chip_respond(&appendix_d_keys(), &cryptogram, &[1; 8], &[4; 16]),
            Ok(None)
        );
    }

    proptest! {
        #[test]
        fn random_answers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            let keys = appendix_d_keys();
            let _ = terminal_finish(&keys, &bytes, &[0; 8], &[0; 8], &[0; 16]);
            let _ = chip_respond(&keys, &bytes, &[0; 8], &[0; 16]);
        }
    }
}
