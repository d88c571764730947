pub fn name() -> &'static str { "core" }
