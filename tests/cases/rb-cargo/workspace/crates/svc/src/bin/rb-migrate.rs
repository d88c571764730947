//! A second bin of the service crate: its image ships it next to rb-svc.
fn main() {
    println!("{}", rb_common::health_body("migrate"));
}
