//! The growing list of findings for one file: cleaned, deduplicated and capped.

use super::text::{clean_str, human_size};
use super::{Category, Finding, Severity};

/// Collects findings while a file is read.
pub struct FindingList {
    items: Vec<Finding>,
    max: usize,
}

impl FindingList {
    pub fn new(max: usize) -> Self {
        FindingList {
            items: Vec::new(),
            max,
        }
    }

    /// Adds a finding unless its value is empty once cleaned, an identical one is already
    /// there (the same tag often sits in two IFDs or two segments), or the cap is reached.
    pub fn push(&mut self, category: Category, field: &str, value: &str) {
        if self.items.len() >= self.max {
            return;
        }
        let Some(value) = clean_str(value) else {
            return;
        };
        let duplicate = self
            .items
            .iter()
            .any(|f| f.category == category && f.field == field && f.value == value);
        if !duplicate {
            self.items.push(Finding {
                category,
                severity: severity_of(category, field),
                field: field.to_string(),
                value,
            });
        }
    }

    /// The findings, most sensitive category first, file order within a category.
    pub fn into_sorted(mut self) -> Vec<Finding> {
        self.items.sort_by_key(|f| f.category);
        self.items
    }
}

/// The default severity of a finding, by what it is (see [`Severity`]). A hidden image starts
/// at medium; the comparison with the main image raises it when they differ.
pub fn severity_of(category: Category, field: &str) -> Severity {
    // Case-insensitive, without a lowercase copy per test (this runs for every finding).
    let has = |part: &str| {
        !part.is_empty()
            && field
                .as_bytes()
                .windows(part.len())
                .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    };
    match category {
        Category::Location | Category::Person => Severity::High,
        Category::Device if has("serial") || has("uniqueid") || has("owner") => Severity::High,
        Category::Device if has("makernote") => Severity::Medium,
        Category::Time | Category::Text | Category::HiddenImage => Severity::Medium,
        Category::Device | Category::Software | Category::Other => Severity::Low,
    }
}

/// Data after the end of the image: an appended JPEG or PNG (a second camera image, an MPF
/// image, an unedited original) is a hidden image; anything else is reported by size.
pub fn trailing_findings(trailing: &[u8], out: &mut FindingList) {
    if trailing.is_empty() {
        return;
    }
    let size = human_size(trailing.len());
    let image = if trailing.starts_with(&[0xFF, 0xD8]) {
        Some("JPEG")
    } else if trailing.starts_with(crate::media::png::SIGNATURE) {
        Some("PNG")
    } else {
        None
    };
    if let Some(format) = image {
        out.push(
            Category::HiddenImage,
            "TrailingData",
            &format!("{size} {format} image after the end of the photo"),
        );
    } else {
        out.push(
            Category::Other,
            "TrailingData",
            &format!("{size} after the end of the photo"),
        );
    }
}

/// Sums sizes per field name, in first-seen order.
#[derive(Default)]
pub struct SizeTally {
    entries: Vec<(Category, String, &'static str, usize)>,
}

impl SizeTally {
    /// Distinct names are bounded by the segment limit; in practice a handful.
    pub fn add(&mut self, category: Category, field: &str, label: &'static str, size: usize) {
        match self.entries.iter_mut().find(|(_, f, _, _)| f == field) {
            Some(entry) => entry.3 = entry.3.saturating_add(size),
            None => self
                .entries
                .push((category, field.to_string(), label, size)),
        }
    }

    pub fn report(self, out: &mut FindingList) {
        for (category, field, label, size) in self.entries {
            out.push(category, &field, &format!("{} {label}", human_size(size)));
        }
    }
}
