//! The eight EXIF orientations as coordinate maps between the pixels as stored and the photo as
//! people see it (upright). Faces are found upright (the detector was trained on photos the right
//! way up, heads tilted at most about 45°) and blurred where the pixels are stored.

/// EXIF orientation 1–8 (anything else is treated as 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Orient(pub u8);

impl Orient {
    /// Whether width and height swap when the photo is turned upright.
    pub fn swaps(self) -> bool {
        matches!(self.0, 5..=8)
    }

    /// Upright size of a stored `width`×`height` image.
    pub fn upright_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Where stored pixel (x, y) of a `w`×`h` image lands upright.
    pub fn to_upright(self, x: u32, y: u32, w: u32, h: u32) -> (u32, u32) {
        let (mx, my) = (w.saturating_sub(1), h.saturating_sub(1));
        match self.0 {
            2 => (mx - x.min(mx), y),
            3 => (mx - x.min(mx), my - y.min(my)),
            4 => (x, my - y.min(my)),
            5 => (y, x),
            6 => (my - y.min(my), x),
            7 => (my - y.min(my), mx - x.min(mx)),
            8 => (y, mx - x.min(mx)),
            _ => (x, y),
        }
    }

    /// Which stored pixel of a `w`×`h` (stored size) image shows at upright (u, v).
    pub fn to_stored(self, u: u32, v: u32, w: u32, h: u32) -> (u32, u32) {
        let (mx, my) = (w.saturating_sub(1), h.saturating_sub(1));
        match self.0 {
            2 => (mx - u.min(mx), v),
            3 => (mx - u.min(mx), my - v.min(my)),
            4 => (u, my - v.min(my)),
            5 => (v, u),
            6 => (v, my - u.min(my)),
            7 => (mx - v.min(mx), my - u.min(my)),
            8 => (mx - v.min(mx), u),
            _ => (u, v),
        }
    }

    /// An upright rectangle (x, y, width, height) as a stored one, in a `w`×`h` stored image.
    pub fn rect_to_stored(
        self,
        rect: (u32, u32, u32, u32),
        w: u32,
        h: u32,
    ) -> (u32, u32, u32, u32) {
        let (x, y, rw, rh) = rect;
        let corners = [
            self.to_stored(x, y, w, h),
            self.to_stored(x + rw.saturating_sub(1), y + rh.saturating_sub(1), w, h),
        ];
        let (x0, x1) = (
            corners[0].0.min(corners[1].0),
            corners[0].0.max(corners[1].0),
        );
        let (y0, y1) = (
            corners[0].1.min(corners[1].1),
            corners[0].1.max(corners[1].1),
        );
        (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_orientation_round_trips_every_pixel_of_a_small_image() {
        let (w, h) = (5, 3);
        for o in 1..=8 {
            let orient = Orient(o);
            let (uw, uh) = orient.upright_size(w, h);
            let mut seen = vec![false; (uw * uh) as usize];
            for y in 0..h {
                for x in 0..w {
                    let (u, v) = orient.to_upright(x, y, w, h);
                    assert!(u < uw && v < uh, "orientation {o}");
                    if let Some(slot) = seen.get_mut((v * uw + u) as usize) {
                        assert!(!*slot, "orientation {o}: two pixels land on one");
                        *slot = true;
                    }
                    assert_eq!(orient.to_stored(u, v, w, h), (x, y), "orientation {o}");
                }
            }
        }
    }

    #[test]
    fn rotate_90_maps_the_top_left_of_the_upright_photo_to_the_bottom_left_as_stored() {
        // Orientation 6: stored sideways, turned 90° clockwise to show.
        assert_eq!(Orient(6).to_stored(0, 0, 40, 30), (0, 29));
        assert_eq!(
            Orient(6).rect_to_stored((0, 0, 10, 5), 40, 30),
            (0, 20, 5, 10)
        );
    }
}
