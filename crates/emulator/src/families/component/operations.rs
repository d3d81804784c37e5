//! What a platform does for its merchants every day, beside tokens: their details and options
//! (`authorizer_info`, `options`) and the fast registration of new mini programs (`fast_register`).

use super::{authorizer_info, fast_register, options};
use crate::kit::family::Family;
use crate::kit::route::Route;

pub const FAMILY: Family = Family::new("platformOperations").routes(ROUTES).actions(fast_register::ACTIONS);

const ROUTES: &[Route] = &[
    Route::new("component.getAuthorizerInfo", authorizer_info::get_authorizer_info).bare(),
    Route::new("account.getAccountBasicInfo", authorizer_info::get_account_basic_info),
    Route::new("component.getAuthorizerOption", options::get_option).bare(),
    Route::new("component.setAuthorizerOption", options::set_option),
    Route::new("component.fastRegisterWeapp", fast_register::create),
    Route::new("component.searchFastRegisterWeapp", fast_register::search),
    Route::new("component.fastRegisterPersonalWeapp", fast_register::create_personal),
    Route::new("account.fastRegister", fast_register::reuse_official_account),
];
