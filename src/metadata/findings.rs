//! The growing list of findings for one file: cleaned, deduplicated and capped.

use super::text::clean_str;
use super::{Category, Finding};

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
