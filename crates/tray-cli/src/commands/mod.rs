//! One module per command group.

pub mod api;
pub mod auth;
pub mod config_cmd;
pub mod demo;
pub mod deployment;
pub mod permissions;
pub mod project;
pub mod sandbox;
pub mod solution;
