"""FastAPI app: thin routes over the engines, wire schemas, error mapping."""
