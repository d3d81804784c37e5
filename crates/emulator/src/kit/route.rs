//! One table row's behaviour: the handler and how its success is written.

use super::context::Ctx;
use crate::wire::{Reply, SuccessShape};

pub type Handler = fn(&mut Ctx<'_>) -> Reply;

pub struct Route {
    pub name: &'static str,
    pub run: Handler,
    pub shape: SuccessShape,
    /// Whether the pipeline checks the fields against the table (47001); `auth.getAccessToken`'s table rows
    /// describe query-string literals, so it checks its own.
    pub table_check: bool,
}

impl Route {
    pub const fn new(name: &'static str, run: Handler) -> Route {
        Route { name, run, shape: SuccessShape::WithErrcode, table_check: true }
    }

    /// Answers a success without `errcode`/`errmsg`, as WeChat's token and code endpoints do.
    pub const fn bare(self) -> Route {
        Route { shape: SuccessShape::Bare, ..self }
    }

    /// Answers an image on success (the mini program code rows).
    pub const fn image(self) -> Route {
        Route { shape: SuccessShape::Image, ..self }
    }

    pub const fn own_checks(self) -> Route {
        Route { table_check: false, ..self }
    }
}
