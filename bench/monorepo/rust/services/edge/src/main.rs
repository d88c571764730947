fn route(path: &str) -> Option<String> {
    path.strip_prefix("/echo/").map(|rest| format!("{{\"echo\":\"{rest}\"}}"))
}

fn main() -> std::io::Result<()> {
    wire::serve("edge", route)
}
