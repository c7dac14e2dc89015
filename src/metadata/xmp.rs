//! Findings from XMP packets by a plain text scan.
//!
//! XMP is RDF/XML; a full XML parser is not needed to tell whether a packet holds a GPS
//! position or an author, and a scan cannot be tricked into loading anything. Properties are
//! found in both serialisations: attributes (`exif:GPSLatitude="48,51.5N"`) and elements
//! (`<dc:creator><rdf:Seq><rdf:li>Ann</rdf:li></rdf:Seq></dc:creator>`).

use super::findings::FindingList;
use super::gps;
use super::{Category, GpsPosition};

/// Properties worth a warning, with the category and the field name reported. Field names
/// carry an "XMP:" prefix so they are not confused with the EXIF tags of the same name.
const PROPERTIES: &[(&str, Category, &str)] = &[
    ("exif:GPSLatitude", Category::Location, "XMP:GPSLatitude"),
    ("exif:GPSLongitude", Category::Location, "XMP:GPSLongitude"),
    ("exif:GPSAltitude", Category::Location, "XMP:GPSAltitude"),
    ("photoshop:City", Category::Location, "XMP:City"),
    ("photoshop:State", Category::Location, "XMP:State"),
    ("photoshop:Country", Category::Location, "XMP:Country"),
    ("Iptc4xmpCore:Location", Category::Location, "XMP:Location"),
    ("tiff:Make", Category::Device, "XMP:Make"),
    ("tiff:Model", Category::Device, "XMP:Model"),
    ("aux:SerialNumber", Category::Device, "XMP:SerialNumber"),
    (
        "exifEX:BodySerialNumber",
        Category::Device,
        "XMP:BodySerialNumber",
    ),
    (
        "aux:LensSerialNumber",
        Category::Device,
        "XMP:LensSerialNumber",
    ),
    ("dc:creator", Category::Person, "XMP:Creator"),
    ("dc:rights", Category::Person, "XMP:Rights"),
    ("dc:description", Category::Text, "XMP:Description"),
    ("dc:title", Category::Text, "XMP:Title"),
    ("dc:subject", Category::Text, "XMP:Subject"),
    ("aux:OwnerName", Category::Person, "XMP:OwnerName"),
    (
        "exifEX:CameraOwnerName",
        Category::Person,
        "XMP:CameraOwnerName",
    ),
    (
        "photoshop:AuthorsPosition",
        Category::Person,
        "XMP:AuthorsPosition",
    ),
    (
        "exif:DateTimeOriginal",
        Category::Time,
        "XMP:DateTimeOriginal",
    ),
    ("photoshop:DateCreated", Category::Time, "XMP:DateCreated"),
    ("xmp:CreateDate", Category::Time, "XMP:CreateDate"),
    ("xmp:ModifyDate", Category::Time, "XMP:ModifyDate"),
    ("xmp:CreatorTool", Category::Software, "XMP:CreatorTool"),
];

/// Bit n set when a property name is n bytes long (all are shorter than 63).
const PROPERTY_LENGTHS: u64 = {
    let mut bits = 0u64;
    let mut rest = PROPERTIES;
    while let [(name, _, _), tail @ ..] = rest {
        assert!(
            name.len() < 63,
            "a property name too long for the length mask"
        );
        bits |= 1 << name.len();
        rest = tail;
    }
    bits
};

/// For each byte that can end a property's prefix (the byte before its colon), the bytes that
/// can start its local name (the byte after), as bits `1 << (byte & 31)`: a colon whose
/// neighbours are not such a pair cannot be inside a property's name. Most colons of a packet
/// (`xmlns:`, `rdf:about`, `stEvt:when`...) are passed over on these two bytes alone, without
/// reading the name around them (a 36 kB Adobe packet has about 1,500 colons).
// Indexing is evaluated when the crate compiles: a bad index fails the build, never a run.
#[allow(clippy::indexing_slicing)]
const NAME_PAIRS: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut rest = PROPERTIES;
    while let [(name, _, _), tail @ ..] = rest {
        let bytes = name.as_bytes();
        let mut colon = 0;
        while bytes[colon] != b':' {
            colon += 1;
        }
        assert!(colon > 0, "a property name is prefix:Local");
        table[bytes[colon - 1] as usize] |= 1 << (bytes[colon + 1] & 31);
        rest = tail;
    }
    table
};

/// Whether the bytes around the colon at `colon` can be the end of a property's prefix and the
/// start of its local name (see [`NAME_PAIRS`]).
fn may_be_property(packet: &[u8], colon: usize) -> bool {
    let (Some(before), Some(after)) = (
        colon.checked_sub(1).and_then(|i| packet.get(i)),
        colon.checked_add(1).and_then(|i| packet.get(i)),
    ) else {
        return false;
    };
    let allowed = NAME_PAIRS.get(usize::from(*before)).copied().unwrap_or(0);
    allowed & (1 << (after & 31)) != 0
}

/// Google camera apps put the unblurred original and depth maps in XMP as base64.
const EMBEDDED_IMAGES: &[(&str, &str)] =
    &[("GImage:Data", "XMP:GImage"), ("GDepth:Data", "XMP:GDepth")];

/// Longest element (start tag plus content) looked at; values are capped far below this.
const MAX_ELEMENT_SCAN: usize = 4096;

/// Occurrences of one name examined: real packets have one or two, and the cap keeps a
/// packet made of thousands of near-matches from costing quadratic time.
const MAX_OCCURRENCES: usize = 32;

/// Reports sensitive properties of one XMP packet; returns a GPS position if both coordinates
/// are there and valid.
///
/// The packet is read once: every qualified name (`prefix:Local`) that starts a tag or an
/// attribute is looked up among [`PROPERTIES`]; the first occurrence with a value wins.
/// (Searching the packet once per property made XMP the largest cost of analysing a photo.)
pub fn xmp_findings(packet: &[u8], out: &mut FindingList) -> Option<GpsPosition> {
    let utf8 = as_utf8(packet);
    let packet: &[u8] = &utf8;
    let mut values: Vec<Option<String>> = vec![None; PROPERTIES.len()];
    let mut tries = vec![0usize; PROPERTIES.len()];
    for colon in memchr::memchr_iter(b':', packet) {
        if !may_be_property(packet, colon) {
            continue;
        }
        let Some((start, end)) = name_around(packet, colon) else {
            continue;
        };
        let Some(name) = packet.get(start..end) else {
            continue;
        };
        // Most names in a packet (rdf:, xmlns:, stEvt:...) are not properties: those of a
        // length no property has are passed over without comparing (a 36 kB Adobe packet spent
        // a third of its time in this lookup).
        if (PROPERTY_LENGTHS >> name.len().min(63)) & 1 == 0 {
            continue;
        }
        let Some(index) = PROPERTIES.iter().position(|(p, _, _)| p.as_bytes() == name) else {
            continue;
        };
        let (Some(slot), Some(tried)) = (values.get_mut(index), tries.get_mut(index)) else {
            continue;
        };
        if slot.is_some() || *tried >= MAX_OCCURRENCES {
            continue;
        }
        let before = start.checked_sub(1).and_then(|i| packet.get(i)).copied();
        let rest = packet.get(end..).unwrap_or_default();
        // Only places where a tag or an attribute starts count towards the cap, so mentions
        // of the name in text cannot use it up before the real property.
        *slot = match before {
            // Element: <name ...>content</name>
            Some(b'<') => {
                *tried = tried.saturating_add(1);
                element_content(rest, name)
            }
            // Attribute: name="value" (with `before` whitespace)
            Some(b) if b.is_ascii_whitespace() => {
                *tried = tried.saturating_add(1);
                attribute_value(rest)
            }
            _ => None,
        };
    }
    let mut latitude = None;
    let mut longitude = None;
    for ((name, category, field), value) in PROPERTIES.iter().zip(values) {
        let Some(value) = value else {
            continue;
        };
        match *name {
            "exif:GPSLatitude" => latitude = gps::parse_xmp_coordinate(&value),
            "exif:GPSLongitude" => longitude = gps::parse_xmp_coordinate(&value),
            _ => {}
        }
        out.push(*category, field, &value);
    }
    embedded_image_findings(packet, out);
    gps::position(latitude, longitude, None)
}

/// Longest prefix or local name looked at; the properties' names are far shorter.
const MAX_NAME_PART: usize = 40;

/// The XML name around the colon at `colon` (`prefix:Local`), as a range, when both parts are
/// non-empty and no longer than [`MAX_NAME_PART`].
fn name_around(packet: &[u8], colon: usize) -> Option<(usize, usize)> {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let prefix = packet
        .get(colon.saturating_sub(MAX_NAME_PART)..colon)?
        .iter()
        .rev()
        .take_while(|b| is_name(b))
        .count();
    let local = packet
        .get(colon.checked_add(1)?..)?
        .iter()
        .take(MAX_NAME_PART.saturating_add(1))
        .take_while(|b| is_name(b))
        .count();
    if prefix == 0 || local == 0 || local > MAX_NAME_PART {
        return None;
    }
    Some((
        colon.checked_sub(prefix)?,
        colon.checked_add(1)?.checked_add(local)?,
    ))
}

/// XMP may be serialised in UTF-16 (the spec allows it and some writers do it); the scan
/// works on UTF-8, so such packets are converted first. Detection is by BOM or by the zero
/// byte beside the packet's first '<'.
fn as_utf8(packet: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let little_endian = match packet {
        [0xFE, 0xFF, ..] | [0, b'<', ..] => false,
        [0xFF, 0xFE, ..] | [b'<', 0, ..] => true,
        _ => return std::borrow::Cow::Borrowed(packet),
    };
    let units = packet.chunks_exact(2).map(|pair| match pair {
        [a, b] if little_endian => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    std::borrow::Cow::Owned(text.into_bytes())
}

/// Reports base64 images in an XMP packet or Extended XMP chunk.
pub fn embedded_image_findings(text: &[u8], out: &mut FindingList) {
    for (name, field) in EMBEDDED_IMAGES {
        if find(text, name.as_bytes(), 0).is_some() {
            out.push(
                Category::HiddenImage,
                field,
                "image stored inside the XMP metadata",
            );
        }
    }
}

fn attribute_value(rest: &[u8]) -> Option<String> {
    let mut i = skip_space(rest, 0);
    if rest.get(i) != Some(&b'=') {
        return None;
    }
    i = skip_space(rest, i.saturating_add(1));
    let quote = *rest.get(i).filter(|q| **q == b'"' || **q == b'\'')?;
    let start = i.saturating_add(1);
    let len = rest.get(start..)?.iter().position(|b| *b == quote)?;
    let raw = rest.get(start..start.saturating_add(len))?;
    Some(unescape(&String::from_utf8_lossy(raw)))
}

fn element_content(rest: &[u8], name: &[u8]) -> Option<String> {
    // The name must end here (not be a prefix of a longer name such as GPSLatitudeRef).
    match rest.first() {
        Some(b'>') | Some(b'/') => {}
        Some(b) if b.is_ascii_whitespace() => {}
        _ => return None,
    }
    let rest = rest.get(..rest.len().min(MAX_ELEMENT_SCAN))?;
    let open_end = rest.iter().position(|b| *b == b'>')?;
    if open_end > 0 && rest.get(open_end.saturating_sub(1)) == Some(&b'/') {
        return None; // <name/> has no content
    }
    let body_start = open_end.saturating_add(1);
    let body = rest.get(body_start..)?;
    let mut close = b"</".to_vec();
    close.extend_from_slice(name);
    let end = find(body, &close, 0).unwrap_or(body.len());
    let text = strip_tags(body.get(..end)?);
    Some(unescape(&text))
}

/// Drops markup, keeping the text between tags, separated by spaces (rdf:li items).
fn strip_tags(xml: &[u8]) -> String {
    let mut out = Vec::with_capacity(xml.len());
    let mut in_tag = false;
    for &b in xml {
        match b {
            b'<' => {
                in_tag = true;
                out.push(b' ');
            }
            b'>' => in_tag = false,
            _ if !in_tag => out.push(b),
            _ => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn skip_space(bytes: &[u8], from: usize) -> usize {
    let skipped = bytes.get(from..).map_or(0, |r| {
        r.iter().take_while(|b| b.is_ascii_whitespace()).count()
    });
    from.saturating_add(skipped)
}

/// Substring search (SIMD where the target has it): every property name is looked for in the
/// whole packet, so this is most of the XMP scan's time.
pub fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let rest = haystack.get(from..)?;
    memchr::memmem::find(rest, needle).and_then(|i| from.checked_add(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(xml: &str) -> (Vec<(Category, String, String)>, Option<GpsPosition>) {
        let mut list = FindingList::new(100);
        let pos = xmp_findings(xml.as_bytes(), &mut list);
        let v = list
            .into_sorted()
            .into_iter()
            .map(|f| (f.category, f.field, f.value))
            .collect();
        (v, pos)
    }

    #[test]
    fn reads_attributes_and_elements() {
        let xml = r#"<rdf:Description exif:GPSLatitude="48,51.504N"
            exif:GPSLatitudeRef="N" exif:GPSLongitude='2,17.67E' xmp:CreatorTool="GIMP &amp; co">
            <dc:creator><rdf:Seq><rdf:li>Ann Example</rdf:li></rdf:Seq></dc:creator>
            <tiff:Model/></rdf:Description>"#;
        let (v, pos) = findings(xml);
        let pos = pos.unwrap_or(GpsPosition {
            latitude: 0.0,
            longitude: 0.0,
            altitude_m: None,
        });
        assert!((pos.latitude - 48.8584).abs() < 1e-9);
        assert!((pos.longitude - 2.2945).abs() < 1e-9);
        assert!(v.contains(&(Category::Person, "XMP:Creator".into(), "Ann Example".into())));
        assert!(v.contains(&(
            Category::Software,
            "XMP:CreatorTool".into(),
            "GIMP & co".into()
        )));
        assert!(!v.iter().any(|(_, f, _)| f == "XMP:Model"));
    }

    #[test]
    fn ignores_longer_names_and_finds_embedded_images() {
        let (v, pos) = findings("<x exif:GPSLatitudeRef=\"N\" GImage:Data=\"/9j/\"/>");
        assert_eq!(pos, None);
        assert_eq!(
            v,
            vec![(
                Category::HiddenImage,
                "XMP:GImage".to_string(),
                "image stored inside the XMP metadata".to_string()
            )]
        );
    }

    #[test]
    fn takes_the_first_occurrence_with_a_value() {
        // A name in text, an empty element and an over-long prefix give no value; the
        // attribute after them does.
        let xml = "<x>dc:creator <dc:creator/> <aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaxdc:creator>No</aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaxdc:creator> \
                   <d dc:creator=\"Ann\" tiff:Make=\"Acme\"/><dc:creator>Bob</dc:creator></x>";
        let (v, _) = findings(xml);
        assert_eq!(
            v,
            vec![
                (Category::Device, "XMP:Make".into(), "Acme".into()),
                (Category::Person, "XMP:Creator".into(), "Ann".into()),
            ]
        );
    }

    /// Every property is found as an attribute and as an element, so the two-byte filter in
    /// front of the name lookup (NAME_PAIRS) cannot pass over one of them.
    #[test]
    fn finds_every_property_in_both_forms() {
        for (name, category, field) in PROPERTIES {
            let attribute = format!("<rdf:Description xmlns:a='x' {name}=\"one\"/>");
            let element = format!("<rdf:Description><{name}>two</{name}></rdf:Description>");
            for (xml, value) in [(attribute, "one"), (element, "two")] {
                let (found, _) = findings(&xml);
                assert_eq!(
                    found,
                    vec![(*category, field.to_string(), value.to_string())],
                    "{xml}"
                );
            }
        }
    }

    #[test]
    fn reads_utf16_packets() {
        let xml = "<x><dc:creator>Ann</dc:creator></x>";
        let be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut list = FindingList::new(10);
        xmp_findings(&be, &mut list);
        let found = list.into_sorted();
        assert_eq!(found.first().map(|f| f.value.as_str()), Some("Ann"));
    }

    #[test]
    fn find_works_at_edges() {
        assert_eq!(find(b"abcabc", b"ca", 0), Some(2));
        assert_eq!(find(b"abc", b"bcd", 0), None);
        assert_eq!(find(b"abc", b"", 0), None);
        assert_eq!(find(b"abc", b"c", 9), None);
    }
}
