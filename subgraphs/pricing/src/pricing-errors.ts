import { pokewatchError } from "@pokewatch/kit";

export function notFoundCard(id: string) {
  return pokewatchError("NOT_FOUND", `No card with id "${id}"`);
}

export function noPrices(cardId: string) {
  return pokewatchError("NOT_FOUND", `Card "${cardId}" has no prices yet, so it has no fair price`);
}

export function dateInFuture(date: string, today: string) {
  return pokewatchError("BAD_USER_INPUT", `date ${date} is in the future (today is ${today} UTC)`, {
    extensions: { argument: "date" },
  });
}

export function dateBeforeHistory(cardId: string, date: string, firstDate: string) {
  return pokewatchError(
    "BAD_USER_INPUT",
    `date ${date} is before the first price of card "${cardId}" (${firstDate}); fair prices start there`,
    { extensions: { argument: "date" } },
  );
}

export function modelUnavailable() {
  return pokewatchError(
    "MODEL_UNAVAILABLE",
    "No production model is loaded, so fair prices cannot be computed yet; train and promote one, then retry",
  );
}

/** A deals call that found no ranking ready within its wait: the computation goes on, a retry will find it. */
export function dealsRankingUnavailable(reason: string, retryAfterSeconds: number) {
  return pokewatchError("SERVICE_UNAVAILABLE", `The deals ranking ${reason}; retry in ${retryAfterSeconds} s`, {
    extensions: { retryAfter: retryAfterSeconds },
  });
}
