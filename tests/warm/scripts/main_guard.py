def main():
    print("main ran, name", __name__)


if __name__ == "__main__":
    main()
import pickle


class Point:
    def __init__(self, x):
        self.x = x


print(pickle.loads(pickle.dumps(Point(4))).x)
