"""The rlvr resources server, as NeMo-Gym starts it (``python app.py`` in this directory,
in the venv Gym made from ``requirements.txt``). Everything lives in
:mod:`rlvr.trainer.nemo_gym`."""

from rlvr.trainer.nemo_gym import resources_server_class

if __name__ == "__main__":
    resources_server_class().run_webserver()
