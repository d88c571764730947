fn main() { println!("{}", core_lib::answer()); }
