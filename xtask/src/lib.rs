//! The project's tasks. `cargo xtask codegen` turns each provider's OpenAPI document into a
//! typed client crate; see the workspace README for the pipeline.

pub mod api_version;
pub mod codegen;
pub mod downconvert;
pub mod files;
pub mod hoist;
pub mod open_enums;
pub mod overlay;
pub mod providers;
pub mod surface;
