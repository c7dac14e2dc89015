//! GPS coordinates: degrees/minutes/seconds to signed decimal degrees, validity, display.

use super::GpsPosition;

/// Degrees from 1 to 3 components (degrees, minutes, seconds); `None` when any component is
/// not finite or negative, or when there are none.
pub fn degrees_from_dms(components: &[f64]) -> Option<f64> {
    let mut total = 0.0;
    let mut scale = 1.0;
    if components.is_empty() || components.len() > 3 {
        return None;
    }
    for &c in components {
        if !c.is_finite() || c < 0.0 {
            return None;
        }
        total += c / scale;
        scale *= 60.0;
    }
    Some(total)
}

/// Applies the hemisphere: references "S" and "W" make the value negative.
pub fn apply_reference(degrees: f64, reference: Option<char>) -> f64 {
    match reference {
        Some('S' | 's' | 'W' | 'w') => -degrees,
        _ => degrees,
    }
}

/// A position only when both coordinates are present, finite and within range, so the UI
/// never shows a pin for garbage.
pub fn position(
    latitude: Option<f64>,
    longitude: Option<f64>,
    altitude_m: Option<f64>,
) -> Option<GpsPosition> {
    let latitude = latitude.filter(|v| v.is_finite() && v.abs() <= 90.0)?;
    let longitude = longitude.filter(|v| v.is_finite() && v.abs() <= 180.0)?;
    Some(GpsPosition {
        latitude,
        longitude,
        altitude_m: altitude_m.filter(|v| v.is_finite()),
    })
}

/// "48.858400° N" — decimal degrees read more easily than d/m/s for most people.
pub fn format_coordinate(signed_degrees: f64, positive: char, negative: char) -> String {
    let hemisphere = if signed_degrees < 0.0 {
        negative
    } else {
        positive
    };
    format!("{:.6}° {hemisphere}", signed_degrees.abs())
}

/// Parses an XMP GPS coordinate, "DDD,MM,SSk" or "DDD,MM.mmk" with k one of N, S, E, W
/// (XMP specification part 2, GPSCoordinate), into signed decimal degrees.
pub fn parse_xmp_coordinate(text: &str) -> Option<f64> {
    let text = text.trim();
    let reference = text.chars().last()?;
    if !matches!(reference.to_ascii_uppercase(), 'N' | 'S' | 'E' | 'W') {
        return None;
    }
    let numbers = text.get(..text.len().checked_sub(reference.len_utf8())?)?;
    let mut parts = [0.0f64; 3];
    let mut count = 0;
    for piece in numbers.split(',') {
        let slot = parts.get_mut(count)?;
        *slot = piece.trim().parse().ok()?;
        count += 1;
    }
    let degrees = degrees_from_dms(parts.get(..count)?)?;
    Some(apply_reference(degrees, Some(reference)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_dms() {
        let d = degrees_from_dms(&[48.0, 51.0, 30.24]).unwrap_or(f64::NAN);
        assert!((d - 48.8584).abs() < 1e-9);
        assert_eq!(degrees_from_dms(&[]), None);
        assert_eq!(degrees_from_dms(&[f64::NAN]), None);
        assert_eq!(apply_reference(2.0, Some('W')), -2.0);
    }

    #[test]
    fn validates_positions() {
        assert!(position(Some(48.0), Some(2.0), None).is_some());
        assert!(position(Some(91.0), Some(2.0), None).is_none());
        assert!(position(Some(48.0), None, None).is_none());
        assert!(position(Some(48.0), Some(-181.0), None).is_none());
    }

    #[test]
    fn parses_xmp_coordinates() {
        let lat = parse_xmp_coordinate("48,51.504N").unwrap_or(f64::NAN);
        assert!((lat - 48.8584).abs() < 1e-9);
        let lon = parse_xmp_coordinate("2,17,40.2W").unwrap_or(f64::NAN);
        assert!((lon + 2.2945).abs() < 1e-9);
        assert_eq!(parse_xmp_coordinate("abc"), None);
        assert_eq!(parse_xmp_coordinate("1,2,3,4N"), None);
        assert_eq!(parse_xmp_coordinate("N"), None);
    }

    #[test]
    fn formats() {
        assert_eq!(format_coordinate(-33.5, 'N', 'S'), "33.500000° S");
    }
}
