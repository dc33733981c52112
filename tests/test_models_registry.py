"""The registry: names resolve to classes, unknown names are input errors, temporary models leave no trace."""

import numpy as np
import pytest

from forecast.errors import InputError
from forecast.models.base import Model
from forecast.models.registry import available_models, get_model, model_class, registered


class Constant(Model):
    def _fit(self, y, season_length):
        self.value_ = float(y[-1])

    def sample_paths(self, h, n_paths, seed=None):
        return np.full((n_paths, h), self.value_)


def test_registered_model_exists_only_inside_the_block():
    before = available_models()
    with registered("constant_for_test", Constant):
        assert "constant_for_test" in available_models()
        assert get_model("constant_for_test").fit([1.0, 4.0]).sample_paths(2, 3).tolist() == [[4.0, 4.0]] * 3
    assert available_models() == before
    with pytest.raises(InputError, match="unknown model 'constant_for_test'"):
        model_class("constant_for_test")


def test_registered_restores_a_shadowed_model():
    original = model_class("naive")
    with registered("naive", Constant):
        assert model_class("naive") is Constant
    assert model_class("naive") is original and original.name == "naive"
