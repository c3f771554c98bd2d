//! The project's tasks. `cargo xtask codegen` turns each provider's folder (`specs/<p>/`:
//! its OpenAPI document, overlay, manifest and recorded responses) into a typed client, the
//! provider registry and the docs tables; see the workspace README for the pipeline.

pub mod api_version;
pub mod codegen;
pub mod crates;
pub mod dist;
pub mod docs;
pub mod downconvert;
pub mod error_bodies;
pub mod files;
pub mod glue;
pub mod hoist;
pub mod manifest;
pub mod open_enums;
pub mod overlay;
pub mod providers;
pub mod readmes;
pub mod registry;
pub mod select;
pub mod skeleton;
pub mod surface;
pub mod tolerant;
