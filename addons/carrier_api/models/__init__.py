from . import integration_connection
