//! Tiny geodesy helpers shared by acme services.

/// Mean Earth radius in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in kilometres between two `(lat, lon)` points given
/// in decimal degrees, using the haversine formula.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_point_is_zero() {
        assert_eq!(distance_km((48.8566, 2.3522), (48.8566, 2.3522)), 0.0);
    }

    #[test]
    fn paris_to_london() {
        let d = distance_km((48.8566, 2.3522), (51.5074, -0.1278));
        assert!((d - 343.5).abs() < 1.0, "got {d}");
    }

    #[test]
    fn symmetric() {
        let a = (40.7128, -74.0060);
        let b = (35.6762, 139.6503);
        assert!((distance_km(a, b) - distance_km(b, a)).abs() < 1e-9);
    }
}
