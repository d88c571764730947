fn main() { println!("{}", core::name()); }
