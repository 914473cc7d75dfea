from . import test_clients_http
