"""Suite-wide: models that runs in the tests save go to a temporary folder, never into the repository."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def saved_models_folder(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("saved_models")
        mp.setenv("RNN_EXPLORER_SAVED", str(folder))
        yield folder
