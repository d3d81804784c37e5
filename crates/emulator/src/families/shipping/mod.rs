//! Order shipping management (发货信息管理): a test seeds a paid order (`seedPayment`), the app uploads its
//! shipping, the buyer confirms receipt (`confirmReceipt`, or the clock does it), the money settles; pushes
//! tell the app on the way (`trade_manage_*`). `routes` plays the rows, `records` keeps the orders, `pushes`
//! sends the events and moves orders with the clock.

mod pushes;
mod records;
mod routes;

use crate::kit::action::{account, parse, Action};
use crate::kit::family::Family;
use crate::kit::state::{AppData, State};
use records::{Payment, Shipping, RECEIPT_CONFIRMED, SHIPPED, TO_SHIP};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("shipping").routes(routes::ROUTES).actions(ACTIONS).describe_app(describe_app).tick(pushes::tick);

const ACTIONS: &[Action] = &[
    Action::new(
        "seedPayment",
        "{appid?, openid, merchantId, merchantTradeNo, amount, transactionId?, paidAt?, description?}",
        "A paid WeChat Pay order, waiting to be shipped (order_state 1); amount in fen, paidAt Unix seconds (default now). Only seeded payments exist: any other answers 10060001, as devtools payments do. Returns {transactionId}.",
        seed_payment,
    )
    .js("appid: string | undefined, payment: { openid: string; merchantId: string; merchantTradeNo: string; amount: number; transactionId?: string; paidAt?: number; description?: string }", "string")
    .pick("transactionId"),
    Action::new(
        "setTradeManaged",
        "{appid?, managed}",
        "Turns shipping management on or off for the account (isTradeManaged); the first time on, trade_manage_remind_access_api is pushed. Returns {managed}.",
        set_trade_managed,
    )
    .js("appid: string | undefined, managed: boolean", "{ managed: boolean }"),
    Action::new(
        "confirmReceipt",
        "{appid?, transactionId}",
        "The buyer confirms receipt of a shipped order (order_state 3, confirm_receive_method 2); on the emulator's clock (advanceTime) the money awaits settlement (6) an hour later and settles (4) a day after receipt, with a trade_manage_order_settlement push. Returns the order.",
        confirm_receipt,
    )
    .js("appid: string | undefined, transactionId: string", "any"),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedArgs {
    appid: Option<String>,
    openid: String,
    merchant_id: String,
    merchant_trade_no: String,
    amount: i64,
    transaction_id: Option<String>,
    paid_at: Option<i64>,
    description: Option<String>,
}

fn seed_payment(state: &mut State, args: Value) -> Result<Value, String> {
    // The JS method is `seedPayment(appid, payment)`: its second argument arrives as `payment`.
    let mut args = args;
    if let Some(Value::Object(payment)) = args.as_object_mut().and_then(|a| a.remove("payment")) {
        args.as_object_mut().into_iter().for_each(|a| a.extend(payment.clone()));
    }
    let args: SeedArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    if args.amount <= 0 || args.merchant_id.is_empty() || args.merchant_trade_no.is_empty() {
        return Err("a payment needs a positive amount (fen), a merchantId and a merchantTradeNo".into());
    }
    let (now, serial) = (state.clock.unix(), state.next_serial());
    let app = state.app_mut(&appid);
    if !app.openids.contains(&args.openid) {
        return Err(format!("{} is not a user of {appid}", args.openid));
    }
    let transaction_id = args.transaction_id.unwrap_or_else(|| format!("4200{now}{serial:08}"));
    let book = app.record::<Shipping>();
    if book.find(Some(&transaction_id), None).is_some() || book.find(None, Some((&args.merchant_id, &args.merchant_trade_no))).is_some() {
        return Err(format!("payment {transaction_id} / {} {} exists already", args.merchant_id, args.merchant_trade_no));
    }
    book.payments.push(Payment {
        transaction_id: transaction_id.clone(),
        merchant_id: args.merchant_id,
        merchant_trade_no: args.merchant_trade_no,
        openid: args.openid,
        amount: args.amount,
        description: args.description.unwrap_or_default(),
        paid_at: args.paid_at.unwrap_or(now),
        state: TO_SHIP,
        ..Payment::default()
    });
    Ok(json!({"appid": appid, "transactionId": transaction_id}))
}

fn set_trade_managed(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        managed: bool,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let book = state.app_mut(&appid).record::<Shipping>();
    book.managed = args.managed;
    let first = args.managed && !book.access_reminded;
    book.access_reminded |= first;
    if first {
        pushes::remind_access(state, &appid);
    }
    Ok(json!({"managed": args.managed}))
}

fn confirm_receipt(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        transaction_id: String,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let now = state.clock.unix();
    let p = state.app_mut(&appid).record::<Shipping>().find(Some(&args.transaction_id), None).ok_or_else(|| format!("no payment {}", args.transaction_id))?;
    if p.state != SHIPPED {
        return Err(format!("payment {} is in order_state {}, not shipped (2)", args.transaction_id, p.state));
    }
    p.state = RECEIPT_CONFIRMED;
    p.confirmed = Some((now, 2));
    Ok(p.describe())
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let Some(book) = app.records.peek::<Shipping>() else { return };
    let orders: Vec<Value> = book.payments.iter().map(|p| {
        json!({"transactionId": p.transaction_id, "merchantTradeNo": p.merchant_trade_no, "orderState": p.state, "amount": p.amount,
            "shipments": p.finish_count, "estimatedSettlementTime": p.estimated_settlement(), "settledAt": p.settled_at})
    }).collect();
    out.insert("shipping".into(), json!({"tradeManaged": book.managed, "msgJumpPath": book.jump_path, "orders": orders}));
}

#[cfg(test)]
mod tests;
