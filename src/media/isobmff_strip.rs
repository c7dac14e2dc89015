//! Lossless HEIF and AVIF cleaning, without moving a single byte of image data.
//!
//! The removed items (Exif, XMP and other metadata items, thumbnails: see [`removed_items`])
//! leave `iinf`, `iloc`, `iref` and `ipma`, and their bytes in `mdat` or `idat` are overwritten
//! with zeros. The rebuilt `meta` box is shorter; a `free` box at its end makes up the
//! difference, so every other box keeps its offset and no item location needs rewriting: the
//! coded image data stays at the same place, byte for byte. Unknown top-level boxes become
//! `free` boxes of the same size; bytes after the last box go. Orientation lives in the `irot`
//! and `imir` properties, which are kept, so no EXIF is written back.

use std::ops::Range;

use super::isobmff::{
    kept_meta_child, kept_top_box, removed_items, walk, Bx, IsobmffLayout, BOX_HEADER_LEN,
};
use crate::error::Error;
use crate::limits::Limits;
use crate::metadata::heif_findings::analyze_heif;
use crate::metadata::Format;

/// Builds the clean copy of a walked HEIF or AVIF file.
pub fn strip_isobmff(
    bytes: &[u8],
    layout: &IsobmffLayout,
    format: Format,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let removed: Vec<u32> = removed_items(layout)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let is_removed = |id: u32| removed.contains(&id);

    // 1. Decide which byte ranges become zeros, and make sure none holds a kept item's data.
    let mut zeroed: Vec<Range<usize>> = Vec::new();
    let idat = layout
        .meta_children
        .iter()
        .find(|b| &b.kind == b"idat")
        .map(|b| b.body.clone());
    let data_boxes: Vec<Range<usize>> = layout
        .boxes
        .iter()
        .filter(|b| &b.kind == b"mdat")
        .map(|b| b.body.clone())
        .chain(idat)
        .collect();
    for location in layout.locations.iter().filter(|l| is_removed(l.id)) {
        for extent in &location.extents {
            if !data_boxes.iter().any(|d| contains(d, extent)) {
                return Err(unusual());
            }
            zeroed.push(extent.clone());
        }
    }
    for bx in layout.boxes.iter().filter(|b| !kept_top_box(&b.kind)) {
        zeroed.push(bx.body.clone());
    }
    let kept_extents = layout
        .locations
        .iter()
        .filter(|l| !is_removed(l.id))
        .flat_map(|l| l.extents.iter());
    for extent in kept_extents {
        let overlaps = zeroed
            .iter()
            .any(|z| z.start < extent.end && extent.start < z.end);
        if overlaps || extent.end > layout.end_of_boxes {
            return Err(unusual());
        }
    }
    let mut work = bytes
        .get(..layout.end_of_boxes)
        .ok_or_else(unusual)?
        .to_vec();
    for range in &zeroed {
        work.get_mut(range.clone()).ok_or_else(unusual)?.fill(0);
    }

    // 2. Write the boxes: meta rebuilt, others copied (zeroed where decided above).
    let mut out = Vec::with_capacity(work.len());
    for bx in &layout.boxes {
        if &bx.kind == b"meta" {
            out.extend_from_slice(&rebuild_meta(&work, layout, &removed)?);
        } else if kept_top_box(&bx.kind) {
            out.extend_from_slice(work.get(bx.range.clone()).ok_or_else(unusual)?);
        } else {
            // Same size, now free space (its body was zeroed above).
            write_header(&mut out, bx.range.len(), b"free")?;
            out.extend_from_slice(
                work.get(bx.range.start + BOX_HEADER_LEN..bx.range.end)
                    .ok_or_else(unusual)?,
            );
        }
    }
    verify(&out, bytes, layout, &removed, format, limits)?;
    Ok(out)
}

/// The `meta` box without the removed items, padded with a `free` box to its old size.
fn rebuild_meta(work: &[u8], layout: &IsobmffLayout, removed: &[u32]) -> Result<Vec<u8>, Error> {
    let meta = &layout.meta;
    let mut body = work
        .get(meta.body.start..meta.body.start + 4)
        .ok_or_else(unusual)?
        .to_vec();
    for child in &layout.meta_children {
        if !kept_meta_child(&child.kind) {
            continue;
        }
        let rebuilt = match &child.kind {
            b"iinf" => rebuild_iinf(work, child, layout, removed)?,
            b"iloc" => rebuild_iloc(work, child, layout, removed)?,
            b"iref" => rebuild_iref(work, child, layout, removed)?,
            b"iprp" => rebuild_iprp(work, child, layout, removed)?,
            _ => work.get(child.range.clone()).ok_or_else(unusual)?.to_vec(),
        };
        body.extend_from_slice(&rebuilt);
    }
    let mut out = Vec::with_capacity(meta.range.len());
    write_header(&mut out, BOX_HEADER_LEN + body.len(), b"meta")?;
    out.extend_from_slice(&body);
    let padding = meta
        .range
        .len()
        .checked_sub(out.len())
        .ok_or_else(unusual)?;
    match padding {
        0 => {}
        // Too small for a box header: cannot keep offsets without one.
        1..BOX_HEADER_LEN => return Err(unusual()),
        n => {
            write_header(&mut out, n, b"free")?;
            out.resize(meta.range.len(), 0);
            // The meta box's own size covers the free box too.
            let size = u32::try_from(out.len()).map_err(|_| unusual())?;
            out.get_mut(..4)
                .ok_or_else(unusual)?
                .copy_from_slice(&size.to_be_bytes());
        }
    }
    Ok(out)
}

/// `iinf` with the kept `infe` boxes and their count.
fn rebuild_iinf(
    work: &[u8],
    bx: &Bx,
    layout: &IsobmffLayout,
    removed: &[u32],
) -> Result<Vec<u8>, Error> {
    let version = *work.get(bx.body.start).ok_or_else(unusual)?;
    let kept = layout.items.iter().filter(|i| !removed.contains(&i.id));
    // version/flags (4), then the count (16 bits in version 0).
    let head = bx.body.start..bx.body.start + 4;
    entry_list(
        work,
        b"iinf",
        head,
        version == 0,
        kept.map(|i| i.range.clone()),
    )
}

/// `iloc` with the kept entries (copied byte for byte: offsets do not move) and their count.
fn rebuild_iloc(
    work: &[u8],
    bx: &Bx,
    layout: &IsobmffLayout,
    removed: &[u32],
) -> Result<Vec<u8>, Error> {
    let version = *work.get(bx.body.start).ok_or_else(unusual)?;
    let kept = layout.locations.iter().filter(|l| !removed.contains(&l.id));
    // version/flags (4), field sizes (2), then the count (16 bits before version 2).
    let head = bx.body.start..bx.body.start + 6;
    entry_list(
        work,
        b"iloc",
        head,
        version < 2,
        kept.map(|l| l.entry.clone()),
    )
}

/// A box of `kind` made of `work[head]` (version, flags and fixed fields, as they were), the
/// number of `entries` (16 bits when `narrow`, else 32) and each entry's bytes as they were.
fn entry_list(
    work: &[u8],
    kind: &[u8; 4],
    head: Range<usize>,
    narrow: bool,
    entries: impl Iterator<Item = Range<usize>>,
) -> Result<Vec<u8>, Error> {
    let entries: Vec<&[u8]> = entries
        .map(|range| work.get(range).ok_or_else(unusual))
        .collect::<Result<_, _>>()?;
    let mut body = work.get(head).ok_or_else(unusual)?.to_vec();
    write_count(&mut body, entries.len(), narrow)?;
    for entry in entries {
        body.extend_from_slice(entry);
    }
    boxed(kind, &body)
}

/// `iref` without references from removed items nor to them.
fn rebuild_iref(
    work: &[u8],
    bx: &Bx,
    layout: &IsobmffLayout,
    removed: &[u32],
) -> Result<Vec<u8>, Error> {
    let wide = layout.iref_version > 0;
    let mut body = work
        .get(bx.body.start..bx.body.start + 4)
        .ok_or_else(unusual)?
        .to_vec();
    for reference in layout
        .references
        .iter()
        .filter(|r| !removed.contains(&r.from))
    {
        let to: Vec<u32> = reference
            .to
            .iter()
            .copied()
            .filter(|id| !removed.contains(id))
            .collect();
        if to.is_empty() {
            continue;
        }
        let mut entry = Vec::new();
        write_id(&mut entry, reference.from, wide)?;
        write_count(&mut entry, to.len(), true)?;
        for id in to {
            write_id(&mut entry, id, wide)?;
        }
        body.extend_from_slice(&boxed(&reference.kind, &entry)?);
    }
    boxed(b"iref", &body)
}

/// `iprp` with every `ipma` rewritten without the removed items' entries.
fn rebuild_iprp(
    work: &[u8],
    bx: &Bx,
    layout: &IsobmffLayout,
    removed: &[u32],
) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    let mut pos = bx.body.start;
    for associations in &layout.associations {
        let ipma = &associations.ipma;
        // Children before this ipma (ipco, other boxes) are copied as they are.
        body.extend_from_slice(work.get(pos..ipma.range.start).ok_or_else(unusual)?);
        let kept = associations
            .entries
            .iter()
            .filter(|e| !removed.contains(&e.id));
        // version/flags (4), then a 32-bit count.
        let head = ipma.body.start..ipma.body.start + 4;
        body.extend_from_slice(&entry_list(
            work,
            b"ipma",
            head,
            false,
            kept.map(|e| e.entry.clone()),
        )?);
        pos = ipma.range.end;
    }
    body.extend_from_slice(work.get(pos..bx.body.end).ok_or_else(unusual)?);
    boxed(b"iprp", &body)
}

/// Refuses to hand back a file we would not accept ourselves: the copy must walk, be exactly
/// as long as the original's boxes, keep every kept item's bytes at the same offsets, and
/// analyse clean.
fn verify(
    out: &[u8],
    original: &[u8],
    layout: &IsobmffLayout,
    removed: &[u32],
    format: Format,
    limits: &Limits,
) -> Result<(), Error> {
    let check = walk(out, limits).map_err(|_| unusual())?;
    if out.len() != layout.end_of_boxes
        || !check.trailing.is_empty()
        || check.primary != layout.primary
    {
        return Err(unusual());
    }
    // Same bytes for every kept item (items in idat may have moved with it; items in mdat
    // keep their offsets, since everything outside meta kept its place).
    for location in layout.locations.iter().filter(|l| !removed.contains(&l.id)) {
        let before = layout.item_data(original, location.id, usize::MAX);
        let after = check.item_data(out, location.id, usize::MAX);
        let same = match (&before, &after) {
            (Some(a), Some(b)) => crate::bytes::same_bytes(a, b),
            (None, None) => true,
            _ => false,
        };
        if before.is_none() && !location.unreadable || !same {
            return Err(unusual());
        }
    }
    let analysis = analyze_heif(out, &check, format, limits).map_err(|_| unusual())?;
    if !analysis.findings.is_empty() {
        return Err(unusual());
    }
    Ok(())
}

/// Whether `outer` holds all of `inner`.
fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn boxed(kind: &[u8; 4], body: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(BOX_HEADER_LEN + body.len());
    write_header(&mut out, BOX_HEADER_LEN + body.len(), kind)?;
    out.extend_from_slice(body);
    Ok(out)
}

fn write_header(out: &mut Vec<u8>, size: usize, kind: &[u8; 4]) -> Result<(), Error> {
    let size = u32::try_from(size).map_err(|_| unusual())?;
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(kind);
    Ok(())
}

/// A count or id in 16 bits (`narrow`) or 32.
fn write_count(out: &mut Vec<u8>, n: usize, narrow: bool) -> Result<(), Error> {
    if narrow {
        out.extend_from_slice(&u16::try_from(n).map_err(|_| unusual())?.to_be_bytes());
    } else {
        out.extend_from_slice(&u32::try_from(n).map_err(|_| unusual())?.to_be_bytes());
    }
    Ok(())
}

fn write_id(out: &mut Vec<u8>, id: u32, wide: bool) -> Result<(), Error> {
    if wide {
        out.extend_from_slice(&id.to_be_bytes());
        Ok(())
    } else {
        write_count(out, usize::try_from(id).map_err(|_| unusual())?, true)
    }
}

fn unusual() -> Error {
    Error::malformed("this file's structure is too unusual to clean safely")
}
