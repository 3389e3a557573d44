//! The master-key file: 64 hex characters (whitespace ignored), written once with mode 0600.
//!
//! Owns reading a key file straight into a zeroized [`MasterKey`], writing a new one (never
//! over an existing file), and refusing a key file that group or others may read. The text
//! of a key file only ever sits in zeroized buffers, and no error message quotes it.

use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{MasterKey, RandomError, KEY_LEN};

/// A master-key file that cannot be used. Messages name the file, never its contents.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("reading key file {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {} is not a phigate master key ({reason})", path.display())]
    Malformed { path: PathBuf, reason: &'static str },
    #[error(
        "[vault] key_file {} is readable by group or others (mode {mode:o}): \
         `chmod 600` it, or pass --allow-insecure-key-permissions",
        path.display()
    )]
    Insecure { path: PathBuf, mode: u32 },
    #[error("creating {} (an existing key is never overwritten)", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing key file {}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// Reads a master key file: 64 hex characters (whitespace ignored).
pub fn read_master_key(path: &Path) -> Result<MasterKey, KeyFileError> {
    let text = Zeroizing::new(std::fs::read(path).map_err(|source| KeyFileError::Read {
        path: path.to_path_buf(),
        source,
    })?);
    parse_key(&text).map_err(|reason| KeyFileError::Malformed {
        path: path.to_path_buf(),
        reason,
    })
}

/// Writes a new random master key (mode 0600), refusing to overwrite a file.
pub fn write_new_key(out: &Path) -> Result<(), KeyFileError> {
    let key = MasterKey::generate()?;
    let text = key_text(&key);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(out).map_err(|source| KeyFileError::Create {
        path: out.to_path_buf(),
        source,
    })?;
    f.write_all(&text[..])
        .and_then(|()| f.sync_all())
        .map_err(|source| KeyFileError::Write {
            path: out.to_path_buf(),
            source,
        })
}

/// The master key protects every vault record: a key file that group or others may read
/// is refused unless the operator says otherwise (`keygen` writes it 0600).
pub fn check_key_permissions(path: &Path, allow_insecure: bool) -> Result<(), KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|source| KeyFileError::Read {
                path: path.to_path_buf(),
                source,
            })?
            .permissions()
            .mode();
        if mode & 0o077 != 0 && !allow_insecure {
            return Err(KeyFileError::Insecure {
                path: path.to_path_buf(),
                mode: mode & 0o777,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, allow_insecure);
    Ok(())
}

/// The key's bytes from a file's text, decoded in place into zeroized memory.
fn parse_key(text: &[u8]) -> Result<MasterKey, &'static str> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    let mut digits = text.iter().filter(|b| !b.is_ascii_whitespace());
    for byte in key.iter_mut() {
        let (Some(&hi), Some(&lo)) = (digits.next(), digits.next()) else {
            return Err("expected 64 hex characters");
        };
        *byte = hex_value(hi).ok_or("not hex")? << 4 | hex_value(lo).ok_or("not hex")?;
    }
    if digits.next().is_some() {
        return Err("expected 64 hex characters");
    }
    Ok(MasterKey(key))
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The file's contents: the key in lower-case hex and a newline, in zeroized memory.
fn key_text(key: &MasterKey) -> Zeroizing<Vec<u8>> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = Zeroizing::new(Vec::with_capacity(KEY_LEN * 2 + 1));
    for b in key.as_bytes() {
        text.push(DIGITS[usize::from(b >> 4)]);
        text.push(DIGITS[usize::from(b & 0x0f)]);
    }
    text.push(b'\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_key_reads_back_and_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("master.key");
        write_new_key(&path).expect("written");
        let key = read_master_key(&path).expect("reads back");
        let text = std::fs::read_to_string(&path).expect("text");
        assert_eq!(text.trim().len(), KEY_LEN * 2);
        assert_eq!(
            parse_key(text.as_bytes()).map(|k| *k.as_bytes()),
            Ok(*key.as_bytes())
        );
        check_key_permissions(&path, false).expect("0600 is accepted");
        assert!(matches!(
            write_new_key(&path),
            Err(KeyFileError::Create { .. })
        ));
    }

    #[test]
    fn whitespace_is_ignored_and_anything_else_refused() {
        let hex = "00112233445566778899aabbccddeeff".repeat(2);
        let spaced = format!("  {}\n{}\r\n", &hex[..10], &hex[10..]);
        let key = parse_key(spaced.as_bytes()).map_err(drop).expect("parses");
        assert_eq!(key.as_bytes()[1], 0x11);
        assert_eq!(key.as_bytes()[31], 0xff);
        assert_eq!(
            parse_key(&hex.as_bytes()[..62]).err(),
            Some("expected 64 hex characters")
        );
        assert_eq!(
            parse_key(format!("{hex}00").as_bytes()).err(),
            Some("expected 64 hex characters")
        );
        assert_eq!(
            parse_key(hex.replace('a', "g").as_bytes()).err(),
            Some("not hex")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_may_read_is_refused_unless_allowed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("master.key");
        write_new_key(&path).expect("written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = check_key_permissions(&path, false).expect_err("refused");
        assert!(e.to_string().contains("mode 644"), "{e}");
        check_key_permissions(&path, true).expect("allowed when insisted");
    }
}
