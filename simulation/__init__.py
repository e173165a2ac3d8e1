"""Demo data (`simulation.demo`) and the field simulation (`simulation.field_day`): realistic
records and a stretch of field work run against a server through the reference tablet client.
Nothing imports this package; its commands are `generate_demo_data` and `simulate_field`."""
