"""Interaction data for recommenders: ids to indices, ordered histories, leave-last-out splits.

Events are ordered per customer by `timestamp` (then `seq`, then input order); a
customer's history is the list of item indices, oldest first. The leave-last-out
split keeps the last item of every customer with at least three interactions as the
test target and the one before as the validation target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from llm4retail.errors import DataValidationError


@dataclass
class Interactions:
    """Customer histories over an item vocabulary.

    Attributes:
        customer_ids: customer id of each customer index.
        product_ids: product id of each item index.
        histories: item indices per customer, oldest first.
        times: Unix seconds of each history entry, when the events have timestamps.
    """

    customer_ids: np.ndarray
    product_ids: np.ndarray
    histories: list[np.ndarray]
    times: list[np.ndarray] | None = None

    @property
    def n_customers(self) -> int:
        """Customers."""
        return len(self.customer_ids)

    @property
    def n_items(self) -> int:
        """Items in the vocabulary."""
        return len(self.product_ids)

    @classmethod
    def from_events(cls, events: pd.DataFrame) -> Interactions:
        """Histories from a contract events frame (needs customer_id, product_id and timestamp or seq).

        Raises:
            DataValidationError: a column is missing or there are no events.
        """
        for column in ("customer_id", "product_id"):
            if column not in events.columns:
                raise DataValidationError(f"events need a '{column}' column; found {list(events.columns)}")
        order = [c for c in ("timestamp", "seq") if c in events.columns and events[c].notna().any()]
        if not order:
            raise DataValidationError("events need a 'timestamp' or 'seq' to order each customer's history")
        if events.empty:
            raise DataValidationError("there are no events to learn from")
        frame = events.assign(_position=np.arange(len(events)))
        frame = frame.sort_values(["customer_id", *order, "_position"], kind="stable")
        customers, customer_index = np.unique(frame["customer_id"].astype(str).to_numpy(), return_inverse=True)
        products, item_index = np.unique(frame["product_id"].astype(str).to_numpy(), return_inverse=True)
        boundaries = np.flatnonzero(np.diff(customer_index)) + 1
        histories = np.split(item_index.astype(np.int64), boundaries)
        times = None
        if "timestamp" in order:
            stamps = pd.to_datetime(frame["timestamp"])
            seconds = (stamps - pd.Timestamp(0)).dt.total_seconds().to_numpy()
            times = np.split(np.nan_to_num(seconds, nan=np.nanmin(seconds) if np.isfinite(seconds).any() else 0.0), boundaries)
        return cls(customers, products, histories, times)

    def matrix(self, histories: list[np.ndarray] | None = None) -> sp.csr_matrix:
        """Customer × item matrix of interaction counts."""
        rows = histories if histories is not None else self.histories
        indptr = np.concatenate([[0], np.cumsum([len(h) for h in rows])])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        data = np.ones(len(indices), dtype=np.float32)
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(rows), self.n_items))
        matrix.sum_duplicates()
        return matrix


@dataclass
class LeaveLastOut:
    """A leave-last-out split.

    Attributes:
        customers: indices of the evaluated customers (at least three interactions).
        train: histories without the last two items (what models are fitted on), for every customer.
        valid_targets: second-to-last item of each evaluated customer.
        test_targets: last item of each evaluated customer.
    """

    customers: np.ndarray
    train: list[np.ndarray]
    valid_targets: np.ndarray
    test_targets: np.ndarray
    train_times: list[np.ndarray] | None = None

    def valid_histories(self) -> list[np.ndarray]:
        """Inputs when predicting the validation item."""
        return [self.train[c] for c in self.customers]

    def test_histories(self) -> list[np.ndarray]:
        """Inputs when predicting the test item: training history plus the validation item."""
        return [np.append(self.train[c], t) for c, t in zip(self.customers, self.valid_targets)]


def leave_last_out(interactions: Interactions, *, min_length: int = 3) -> LeaveLastOut:
    """Split off the last two items of customers with at least `min_length` interactions.

    Raises:
        DataValidationError: no customer has enough interactions.
    """
    lengths = np.array([len(h) for h in interactions.histories])
    customers = np.flatnonzero(lengths >= min_length)
    if len(customers) == 0:
        raise DataValidationError(f"no customer has {min_length} or more events; leave-last-out needs them")
    train = [h[:-2] if len(h) >= min_length else h for h in interactions.histories]
    valid = np.array([interactions.histories[c][-2] for c in customers], dtype=np.int64)
    test = np.array([interactions.histories[c][-1] for c in customers], dtype=np.int64)
    times = None
    if interactions.times is not None:
        times = [t[:-2] if len(t) >= min_length else t for t in interactions.times]
    return LeaveLastOut(customers, train, valid, test, times)
