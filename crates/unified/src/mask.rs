//! Masking credentials in text a server sent back (an error body, a vendor's words), in
//! whatever form the server echoed them.
//!
//! Listing the forms a credential may take (percent-encoded, JSON-escaped, ...) and
//! replacing each misses a form nobody listed: a token with some characters encoded and
//! others not, a prefix, a token cut in two, upper-cased or base64-encoded. So the text is
//! decoded instead, in each combination of the escapes, keeping where each decoded byte came
//! from; any prefix or suffix of a credential of [`WINDOW`] bytes or more found in it
//! (ignoring ASCII case) is masked where it stands in the text. Base64 is matched on the
//! text as it is, against the credential's base64 forms.

/// The shortest prefix or suffix of a credential that is masked. A credential shorter than
/// this is masked only whole.
pub(crate) const WINDOW: usize = 8;

/// The shortest part of a credential's base64 form that is looked for: shorter ones, of
/// secrets under 8 bytes in an awkward alignment, would match by chance.
const BASE64_CORE: usize = 6;

/// One byte of the decoded text, and the bytes of the original text it came from.
#[derive(Clone, Copy)]
struct Decoded {
    byte: u8,
    start: usize,
    end: usize,
}

/// `text` with every credential of `secrets` masked as `***`, in every form a server may
/// echo it (see the module's documentation).
pub(crate) fn masked(text: &str, secrets: &[&str]) -> String {
    // Each secret as given, and trimmed: a vendor's words are trimmed, so a secret at
    // their edge loses its own blanks.
    // (A token of the form `id|secret`, Laravel Sanctum's, echoed without its `id|` is a
    // suffix of it, and masked as one.)
    let mut secrets: Vec<&str> = secrets
        .iter()
        .flat_map(|s| [*s, s.trim()])
        .filter(|s| !s.is_empty())
        .collect();
    secrets.dedup();
    if secrets.is_empty() || text.is_empty() {
        return text.to_owned();
    }
    let mut hidden = vec![false; text.len()];
    // Each combination of the decodings, the text as it is included: a credential may hold
    // what looks like an escape of another kind (`\n` in a percent-encoded path).
    let views = [
        Decoding::NONE,
        Decoding {
            percent: true,
            ..Decoding::NONE
        },
        Decoding {
            percent: true,
            plus: true,
            ..Decoding::NONE
        },
        Decoding {
            json: true,
            ..Decoding::NONE
        },
        Decoding {
            percent: true,
            json: true,
            ..Decoding::NONE
        },
        Decoding {
            percent: true,
            json: true,
            plus: true,
        },
    ];
    for decoding in views {
        let view = decode(text, decoding);
        for secret in &secrets {
            mark_runs(&view, secret.as_bytes(), &mut hidden);
        }
    }
    for secret in &secrets {
        mark_base64(text, secret.as_bytes(), &mut hidden);
    }
    rebuild(text, &hidden)
}

/// Which escapes a view of the text undoes.
#[derive(Clone, Copy)]
struct Decoding {
    /// `%2F`
    percent: bool,
    /// `\/`, `\"`, `\u00e9`
    json: bool,
    /// `+` for a space (a form's encoding)
    plus: bool,
}

impl Decoding {
    const NONE: Decoding = Decoding {
        percent: false,
        json: false,
        plus: false,
    };
}

/// The bytes `text` stands for once the escapes of `decoding` are undone, each with the
/// span of `text` it came from.
fn decode(text: &str, decoding: Decoding) -> Vec<Decoded> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let one = |byte: u8, len: usize| Decoded {
            byte,
            start: i,
            end: i + len,
        };
        match bytes[i] {
            b'%' if decoding.percent => match bytes.get(i + 1..i + 3).and_then(hex_byte) {
                Some(byte) => {
                    out.push(one(byte, 3));
                    i += 3;
                    continue;
                }
                None => out.push(one(b'%', 1)),
            },
            b'+' if decoding.plus => out.push(one(b' ', 1)),
            b'\\' if decoding.json => match json_escape(&bytes[i..]) {
                Some((decoded, len)) => {
                    for byte in decoded {
                        out.push(one(byte, len));
                    }
                    i += len;
                    continue;
                }
                None => out.push(one(b'\\', 1)),
            },
            byte => out.push(one(byte, 1)),
        }
        i += 1;
    }
    out
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(pair).ok()?;
    u8::from_str_radix(text, 16).ok()
}

/// A JSON escape at the start of `bytes`: the UTF-8 bytes it stands for and its length
/// (a surrogate pair is one escape of 12 bytes).
fn json_escape(bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    let simple = match bytes.get(1)? {
        b'"' => Some(b'"'),
        b'\\' => Some(b'\\'),
        b'/' => Some(b'/'),
        b'n' => Some(b'\n'),
        b't' => Some(b'\t'),
        b'r' => Some(b'\r'),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        _ => None,
    };
    if let Some(byte) = simple {
        return Some((vec![byte], 2));
    }
    let unit = |at: usize| -> Option<u16> {
        if bytes.get(at..at + 2)? != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?, 16).ok()
    };
    let first = unit(0)?;
    let (c, len) = match first {
        0xD800..=0xDBFF => {
            let second = unit(6)?;
            let c = char::decode_utf16([first, second]).next()?.ok()?;
            (c, 12)
        }
        _ => (char::from_u32(u32::from(first))?, 6),
    };
    let mut buffer = [0; 4];
    Some((c.encode_utf8(&mut buffer).as_bytes().to_vec(), len))
}

/// Marks, in `hidden`, the text behind every prefix and every suffix of `secret` of
/// [`WINDOW`] bytes or more (the whole secret when shorter) found in `decoded`, ignoring
/// ASCII case: the whole secret, a prefix, a suffix, and the two halves of a secret cut in
/// two. A piece from its middle is left: a token may hold a word the vendor also writes.
fn mark_runs(decoded: &[Decoded], secret: &[u8], hidden: &mut [bool]) {
    let text: Vec<u8> = decoded
        .iter()
        .map(|d| d.byte.to_ascii_lowercase())
        .collect();
    let secret = secret.to_ascii_lowercase();
    let n = secret.len();
    let window = WINDOW.min(n);
    let (head, tail) = (&secret[..window], &secret[n - window..]);
    let mut mark = |from: usize, to: usize| {
        let (start, end) = (decoded[from].start, decoded[to - 1].end);
        hidden[start..end].iter_mut().for_each(|h| *h = true);
    };
    for at in 0..(text.len() + 1).saturating_sub(window) {
        let here = &text[at..at + window];
        if here == head {
            // A prefix: as far as the secret goes on.
            let mut end = at + window;
            while end < text.len() && end - at < n && text[end] == secret[end - at] {
                end += 1;
            }
            mark(at, end);
        }
        if here == tail {
            // A suffix: as far back as the secret goes.
            let (mut start, mut matched) = (at, n - window);
            while start > 0 && matched > 0 && text[start - 1] == secret[matched - 1] {
                start -= 1;
                matched -= 1;
            }
            mark(start, at + window);
        }
    }
}

/// Marks, in `hidden`, every base64 form of `secret` in `text`: the standard and URL-safe
/// alphabets, from each of the three alignments a credential may have inside a longer
/// encoded value (`user:token`). Only the characters that depend on the secret's bytes
/// alone are compared: from its first whole group of three to before its last group.
fn mark_base64(text: &str, secret: &[u8], hidden: &mut [bool]) {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine;
    if secret.len() < WINDOW {
        return;
    }
    for skip in 0..3 {
        let mut shifted = vec![0u8; skip];
        shifted.extend_from_slice(secret);
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&shifted);
            let from = if skip == 0 { 0 } else { 4 };
            let to = encoded.len().saturating_sub(4);
            if to < from + BASE64_CORE {
                continue;
            }
            let core = &encoded[from..to];
            for (at, _) in text.match_indices(core) {
                hidden[at..at + core.len()]
                    .iter_mut()
                    .for_each(|h| *h = true);
            }
        }
    }
}

/// `text` with each run of hidden bytes, widened to whole characters, replaced by `***`.
fn rebuild(text: &str, hidden: &[bool]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (at, c) in text.char_indices() {
        let covered = hidden[at..at + c.len_utf8()].iter().any(|h| *h);
        match (covered, in_run) {
            (true, false) => out.push_str("***"),
            (true, true) => {}
            (false, _) => out.push(c),
        }
        in_run = covered;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};

    #[test]
    fn a_secret_is_masked_in_every_form_a_server_echoes() {
        let token = "234|s3cr3t token/é\"quoted\"";
        let echoes = [
            token.to_owned(),
            utf8_percent_encode(token, NON_ALPHANUMERIC).to_string(),
            utf8_percent_encode(token, NON_ALPHANUMERIC)
                .to_string()
                .to_ascii_lowercase(),
            utf8_percent_encode(token, NON_ALPHANUMERIC)
                .to_string()
                .replace("%20", "+"),
            serde_json::to_string(token).unwrap(),
            serde_json::to_string(token).unwrap().replace('/', "\\/"),
            "\"234|s3cr3t token/\\u00e9\\\"quoted\\\"\"".to_owned(),
            format!("Bearer {token}"),
            "s3cr3t token/é\"quoted\"".to_owned(),
        ];
        for echo in echoes {
            let shown = masked(&format!("the server said: {echo}!"), &[token]);
            assert!(!shown.contains("s3cr3t"), "{echo} gave {shown}");
            assert!(shown.contains("***"), "{shown}");
            assert!(shown.starts_with("the server said: "), "{shown}");
        }
        assert_eq!(masked("nothing here", &[token]), "nothing here");
    }

    #[test]
    fn d8_a_path_token_in_its_exact_wire_encoding_is_masked() {
        let token = "tok-en/with.special_chars~1";
        // Encoded as a path segment is: `/` encoded, the rest as it is.
        let wire = "tok-en%2Fwith.special_chars~1";
        assert_eq!(
            masked(&format!("no session {wire} here"), &[token]),
            "no session *** here"
        );
    }

    #[test]
    fn d10_a_prefix_two_halves_an_upper_case_or_a_base64_echo_is_masked() {
        let token = "Zq8xLm2Np4Rt7Vw9Yb3Cd6Ef";
        let cases = [
            format!("key {}… rejected", &token[..20]),
            format!("first {} then {}", &token[..12], &token[12..]),
            format!("KEY {}", token.to_ascii_uppercase()),
            format!("auth {}", STANDARD.encode(format!("user:{token}"))),
            format!("auth {}", URL_SAFE_NO_PAD.encode(token)),
        ];
        for text in cases {
            let shown = masked(&text, &[token]);
            for piece in token.as_bytes().windows(WINDOW) {
                let piece = std::str::from_utf8(piece).unwrap().to_ascii_lowercase();
                assert!(
                    !shown.to_ascii_lowercase().contains(&piece),
                    "{text} gave {shown}"
                );
            }
            assert!(shown.contains("***"), "{shown}");
        }
        assert_eq!(
            masked("key Zq8xLm2 is short", &[token]),
            "key Zq8xLm2 is short"
        );
    }

    #[test]
    fn masking_keeps_the_text_around_whole_characters() {
        assert_eq!(masked("é abcdefghij é", &["abcdefghij"]), "é *** é");
        assert_eq!(masked("ab", &["ab"]), "***");
        assert_eq!(masked("xyz", &[""]), "xyz");
    }

    /// Characters a path segment encodes, as the clients do: everything but unreserved ones.
    const PATH: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'?')
        .add(b'|')
        .add(b'<')
        .add(b'>');

    proptest::proptest! {
        /// Any token, echoed by a server in any of these forms inside any text, leaves no
        /// run of 8 of its bytes readable.
        #[test]
        fn any_token_echoed_in_any_form_is_masked(
            token in "[ -~é]{8,40}",
            form in 0..12usize,
            cut in 8..40usize,
            before in "[a-z :{\"]{0,10}",
            after in "[a-z :}\"]{0,10}",
        ) {
            // A prefix and a suffix of at least `cut` bytes (8 or more), whole characters.
            let cut = cut.min(token.len());
            let prefix_end = (cut..=token.len()).find(|c| token.is_char_boundary(*c)).unwrap();
            let suffix_start = (0..=token.len() - cut)
                .rev()
                .find(|c| token.is_char_boundary(*c))
                .unwrap();
            let echo = match form {
                0 => token.clone(),
                1 => utf8_percent_encode(&token, NON_ALPHANUMERIC).to_string(),
                2 => utf8_percent_encode(&token, NON_ALPHANUMERIC).to_string().to_ascii_lowercase(),
                3 => serde_json::to_string(&token).unwrap().replace('/', "\\/"),
                4 => format!("Bearer {token}"),
                5 => utf8_percent_encode(&token, NON_ALPHANUMERIC).to_string().replace("%20", "+"),
                6 => utf8_percent_encode(&token, PATH).to_string(),
                7 => token[..prefix_end].to_owned(),
                8 => token[suffix_start..].to_owned(),
                9 => token.to_ascii_uppercase(),
                10 => STANDARD.encode(token.as_bytes()),
                _ => URL_SAFE_NO_PAD.encode(format!("u:{token}")),
            };
            let shown = masked(&format!("{before}{echo}{after}"), &[&token]);
            proptest::prop_assert!(!shown.contains(&echo), "{shown}");
            proptest::prop_assert!(shown.contains("***"), "{shown}");
            // No run of 8 bytes of the token is left, in any case.
            let lowered = shown.to_ascii_lowercase();
            let readable = token
                .as_bytes()
                .windows(WINDOW)
                .filter_map(|w| std::str::from_utf8(w).ok())
                .find(|w| lowered.contains(&w.to_ascii_lowercase()));
            proptest::prop_assert!(readable.is_none(), "{readable:?} in {shown}");
        }
    }
}
