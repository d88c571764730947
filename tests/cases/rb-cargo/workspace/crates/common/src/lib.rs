//! Helpers shared by the services.

/// The JSON body of a health answer.
pub fn health_body(service: &str) -> String {
    format!("{{\"status\":\"ok\",\"service\":\"{service}\"}}")
}
