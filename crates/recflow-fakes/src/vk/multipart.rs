//! Just enough `multipart/form-data` parsing for the fake upload host: find one named file
//! part in a fully read body. Not a general parser (no nested parts, no transfer encodings).

/// The content of the part named `field`, if the body has one.
pub(crate) fn file_part(content_type: &str, body: &[u8], field: &str) -> Option<Vec<u8>> {
    let boundary = boundary(content_type)?;
    let delimiter = format!("--{boundary}").into_bytes();
    let positions = find_all(body, &delimiter);
    let wanted = format!("name=\"{field}\"");
    for pair in positions.windows(2) {
        let part = &body[pair[0] + delimiter.len()..pair[1]];
        let part = part.strip_prefix(b"\r\n")?;
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let split = find_all(part, b"\r\n\r\n").into_iter().next()?;
        let headers = String::from_utf8_lossy(&part[..split]);
        let is_wanted = headers.lines().any(|line| {
            line.to_ascii_lowercase()
                .starts_with("content-disposition:")
                && line.contains(&wanted)
        });
        if is_wanted {
            return Some(part[split + 4..].to_vec());
        }
    }
    None
}

fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut start = 0;
    while start + needle.len() <= haystack.len() {
        match haystack[start..]
            .windows(needle.len())
            .position(|window| window == needle)
        {
            Some(at) => {
                found.push(start + at);
                start += at + needle.len();
            }
            None => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_file_part_is_found() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n\
                     --XyZ\r\nContent-Disposition: form-data; name=\"video_file\"; \
                     filename=\"a.mp4\"\r\n\
                     Content-Type: video/mp4\r\n\r\n\x00\x01\r\n\x02\r\n--XyZ--\r\n";

        let part = file_part("multipart/form-data; boundary=XyZ", body, "video_file");

        assert_eq!(part, Some(vec![0, 1, b'\r', b'\n', 2]));
    }

    #[test]
    fn other_content_types_and_missing_parts_give_nothing() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n";

        assert_eq!(file_part("application/json", body, "video_file"), None);
        assert_eq!(
            file_part("multipart/form-data; boundary=b", body, "video_file"),
            None
        );
    }
}
